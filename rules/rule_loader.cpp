#include "rules/rule_loader.h"

#include <algorithm>
#include <filesystem>
#include <set>

namespace ef::rules {
namespace {

std::vector<std::string> TomlFiles(const std::string& dir, std::error_code& ec) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".toml" && entry.is_regular_file(ec)) {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

void LoadRuleTable(const ConfigNode& table, const RuleKinds& kinds, const std::string& file,
                   RuleSet* out, ConfigErrors& errors) {
  if (table.type != ConfigType::kTable) {
    errors.Add(table.pos, "'rule' must be an array of tables: write [[rule]]");
    return;
  }
  SharedTable shared(table, "rule", errors);
  LoadedRule loaded;
  loaded.spec.file = file;
  BindRuleSpec(table, shared, loaded.spec, errors);
  const RuleKind* kind = kinds.Find(loaded.spec.kind);
  if (kind == nullptr) {
    if (const ConfigNode* node = table.Find("kind"); node != nullptr && !loaded.spec.kind.empty()) {
      const std::vector<std::string_view> names = kinds.names();
      std::string message = "unknown rule kind \"" + loaded.spec.kind + "\"";
      if (const std::string hint = SuggestKey(loaded.spec.kind, names); !hint.empty()) {
        message += " (did you mean \"" + hint + "\"?)";
      }
      errors.Add(node->pos, std::move(message));
    }
    return;  // without its kind's keys, an unknown-key report would mislead
  }
  std::unique_ptr<Rule> rule = kind->make(table, shared, loaded.spec, errors);
  shared.ReportUnknown();
  if (rule == nullptr) return;
  loaded.rule = std::move(rule);
  out->rules.push_back(std::move(loaded));
}

void CheckUniqueNames(const RuleSet& set, size_t first, ConfigErrors& errors) {
  std::set<std::string_view> seen;
  for (size_t i = 0; i < set.rules.size(); ++i) {
    const RuleSpec& spec = set.rules[i].spec;
    if (seen.insert(spec.name).second || i < first) continue;
    errors.Add(spec.pos, "a rule named '" + spec.name + "' exists already: names must be unique");
  }
}

}  // namespace

std::vector<std::string> LoadRuleText(std::string_view text, const std::string& file,
                                      const RuleKinds& kinds, RuleSet* out) {
  ConfigErrors errors(file);
  const ConfigNode root = ParseConfigText(text, errors);
  const size_t first = out->rules.size();
  for (const auto& [key, node] : root.members) {
    if (key != "rule") {
      static constexpr std::string_view kKnown[] = {"rule"};
      config_internal::ReportUnknown(key, node, "", kKnown, errors);
      continue;
    }
    if (node.type != ConfigType::kArray) {
      errors.Add(node.pos, "'rule' must be an array of tables: write [[rule]]");
      continue;
    }
    for (const ConfigNode& table : node.items) LoadRuleTable(table, kinds, file, out, errors);
  }
  CheckUniqueNames(*out, first, errors);
  out->files.push_back(file);
  return errors.lines();
}

std::vector<std::string> LoadRuleDir(const std::string& dir, const RuleKinds& kinds,
                                     bool missing_ok, RuleSet* out) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    if (missing_ok) return {};
    return {dir + ": the rules directory does not exist"};
  }
  std::vector<std::string> errors;
  const std::vector<std::string> files = TomlFiles(dir, ec);
  if (ec) return {dir + ": cannot list the rules directory: " + ec.message()};
  RuleSet set;
  for (const std::string& file : files) {
    Result<std::string> text = ReadConfigFile(file);
    if (!text.ok()) {
      errors.push_back(file + ": cannot read: " + text.status().message());
      continue;
    }
    std::vector<std::string> file_errors = LoadRuleText(*text, file, kinds, &set);
    errors.insert(errors.end(), file_errors.begin(), file_errors.end());
  }
  if (errors.empty()) *out = std::move(set);
  return errors;
}

std::string RuleDirSignature(const std::string& dir) {
  std::error_code ec;
  std::string signature;
  for (const std::string& file : TomlFiles(dir, ec)) {
    const auto size = std::filesystem::file_size(file, ec);
    const auto time = std::filesystem::last_write_time(file, ec);
    signature += file + ":" + std::to_string(size) + ":" +
                 std::to_string(time.time_since_epoch().count()) + "\n";
  }
  return signature;
}

}  // namespace ef::rules
