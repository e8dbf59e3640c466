#include "daemon/rules_runtime.h"

#include "rules/rule_kinds.h"
#include "rules/rule_loader.h"

namespace ef::daemon {
namespace {
constexpr char kComponent[] = "rules";
constexpr auto kLookEvery = std::chrono::seconds(1);

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}
}  // namespace

std::vector<std::string> LoadRules(const DaemonConfig& config, rules::RuleSet* out) {
  if (config.gateway.rules_dir.empty()) return {};
  return rules::LoadRuleDir(config.gateway.rules_dir, rules::BuiltinRuleKinds(),
                            !config.rules_dir_required, out);
}

RulesRuntime::RulesRuntime(const Clock& clock, Logger& log, MetricsRegistry& metrics)
    : clock_(clock), log_(log), metrics_(metrics) {}

Result<std::unique_ptr<Stage>> RulesRuntime::MakeStage(const DaemonConfig& config) {
  config_ = config;
  signature_ = rules::RuleDirSignature(config.gateway.rules_dir);
  rules::RuleSet set;
  if (auto errors = LoadRules(config, &set); !errors.empty()) {
    return Status::InvalidArgument("invalid rules:\n" + Joined(errors));
  }
  log_.Info(kComponent, std::to_string(set.rules.size()) + " rule(s) from " +
                            (config.gateway.rules_dir.empty() ? "nowhere (no rules_dir)"
                                                              : config.gateway.rules_dir));
  rules::RulesOptions options;
  options.max_state_bytes = config.gateway.rules_max_state_bytes;
  auto stage = std::make_unique<rules::RulesStage>(std::move(set), metrics_, options);
  stage_ = stage.get();
  return std::unique_ptr<Stage>(std::move(stage));
}

void RulesRuntime::Reload(const DaemonConfig& config) {
  if (stage_ == nullptr) return;
  signature_ = rules::RuleDirSignature(config.gateway.rules_dir);
  rules::RuleSet set;
  if (auto errors = LoadRules(config, &set); !errors.empty()) {
    for (const std::string& e : errors) log_.Error(kComponent, "reload: " + e);
    log_.Error(kComponent, "rules not reloaded: the rule files have errors; the running rules "
                           "go on unchanged");
    return;
  }
  config_ = config;
  log_.Info(kComponent, "rules reloaded: " + std::to_string(set.rules.size()) +
                            " rule(s); unchanged rules keep their open windows");
  stage_->Offer(std::move(set));
}

void RulesRuntime::Watch() {
  if (stage_ == nullptr || config_.gateway.rules_dir.empty()) return;
  const Clock::TimePoint now = clock_.Now();
  if (now < next_look_) return;
  next_look_ = now + kLookEvery;
  if (rules::RuleDirSignature(config_.gateway.rules_dir) == signature_) return;
  log_.Info(kComponent, "a file in " + config_.gateway.rules_dir + " changed: reloading rules");
  Reload(config_);
}

}  // namespace ef::daemon
