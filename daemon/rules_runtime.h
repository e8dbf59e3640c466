// RulesRuntime: the daemon's side of the rules engine. It loads the rule files of the
// configuration (rules_dir, by default rules.d/ beside the configuration file), builds the
// RulesStage the pipeline runs, and hands it a new rule set when the daemon reloads (SIGHUP)
// or a file in the rules directory changed. Every file is parsed and validated first; on any
// error the running rules stay and the errors are logged (file:line:col).
//
// Thread-safety: one owner thread (the daemon's main thread). The stage it feeds is owned by
// the pipeline, which must outlive this object's use of it (both belong to the Gateway).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/stage.h"
#include "daemon/daemon_config.h"
#include "rules/rules_stage.h"

namespace ef::daemon {

// The rule files of `config`, validated: errors as "file:line:col: message" lines;
// `out` gets the rules. For `edgeferry check` and start-up.
std::vector<std::string> LoadRules(const DaemonConfig& config, rules::RuleSet* out);

class RulesRuntime {
 public:
  RulesRuntime(const Clock& clock, Logger& log, MetricsRegistry& metrics);

  // Loads the rules and builds the stage (the pipeline takes it; this keeps a pointer).
  // Fails, with every error in the message, when a rule file is invalid.
  Result<std::unique_ptr<Stage>> MakeStage(const DaemonConfig& config);
  // Loads the rules of `config` again and offers them to the running stage; logs why not.
  void Reload(const DaemonConfig& config);
  // Reloads when a file in the rules directory changed (looked at once a second). Call often.
  void Watch();
  // The stage MakeStage() built (owned by the pipeline); null before.
  rules::RulesStage* stage() const { return stage_; }

 private:
  const Clock& clock_;
  Logger& log_;
  MetricsRegistry& metrics_;
  DaemonConfig config_;  // the configuration the rules came from (rules_dir)
  rules::RulesStage* stage_ = nullptr;  // owned by the pipeline
  std::string signature_;
  Clock::TimePoint next_look_{};
};

}  // namespace ef::daemon
