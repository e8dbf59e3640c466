#include "daemon/rule_field_check.h"

#include <algorithm>
#include <map>

#include "core/config_bind.h"
#include "core/topic_template.h"

namespace ef::daemon {
namespace {

// "plant/{site}/+" -> "plant/+/+": a template or rule topic as a plain MQTT filter.
std::string AsFilter(std::string_view topic) {
  std::string filter;
  size_t start = 0;
  while (start <= topic.size()) {
    const size_t end = std::min(topic.find('/', start), topic.size());
    const std::string_view level = topic.substr(start, end - start);
    if (start > 0) filter.push_back('/');
    const bool name = level.size() >= 2 && level.front() == '{' && level.back() == '}';
    filter.append(name ? std::string_view("+") : level);
    start = end + 1;
  }
  return filter;
}

// The names a topic template captures: "plant/{site}/{device}" -> site, device.
std::vector<std::string> Captures(std::string_view topic) {
  std::vector<std::string> names;
  size_t open = topic.find('{');
  while (open != std::string_view::npos) {
    const size_t close = topic.find('}', open);
    if (close == std::string_view::npos) break;
    names.emplace_back(topic.substr(open + 1, close - open - 1));
    open = topic.find('{', close);
  }
  return names;
}

// Whether `contract` can bind an event that the rule of `spec` takes.
bool DescribesInput(const pipeline::Contract& contract, const rules::RuleSpec& spec) {
  if (contract.topic_template.empty()) {
    return spec.stream.empty() || spec.stream == contract.stream;
  }
  return spec.topic.empty() ||
         TopicFiltersOverlap(AsFilter(spec.topic), AsFilter(contract.topic_template));
}

// What the contracts describing one rule's input declare.
struct Declared {
  std::vector<std::string> names;          // fields a rule may name
  std::map<std::string, std::string> renamed;  // an old name -> its newest name
  std::vector<std::string> contracts;      // their names, for the message
};

Declared DeclaredFor(const rules::RuleSpec& spec, std::span<const pipeline::Contract> contracts) {
  Declared out;
  for (const pipeline::Contract& contract : contracts) {
    if (!DescribesInput(contract, spec)) continue;
    out.contracts.push_back(contract.name);
    for (const pipeline::ContractField& field : contract.newest().fields) {
      out.names.push_back(field.name);
    }
    if (!contract.version_field.empty()) out.names.push_back(contract.version_field);
    for (std::string& name : Captures(contract.topic_template)) out.names.push_back(name);
    // A name renamed in version N is the field of version N from then on: follow the chain.
    for (const pipeline::ContractVersion& version : contract.versions) {
      for (const pipeline::ContractField& field : version.fields) {
        if (field.renamed_from.empty()) continue;
        for (auto& [old_name, now] : out.renamed) {
          if (now == field.renamed_from) now = field.name;
        }
        out.renamed[field.renamed_from] = field.name;
      }
    }
  }
  return out;
}

std::string Joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) {
    if (!text.empty()) text += ", ";
    text += "'" + name + "'";
  }
  return text;
}

std::string Warning(const rules::RuleSpec& spec, const rules::FieldRef& ref,
                    const Declared& declared) {
  std::string message = "warning: rule '" + spec.name + "': '" + ref.key + "' names field \"" +
                        ref.name + "\", which no data contract for its input declares (" +
                        (declared.contracts.size() == 1 ? "contract " : "contracts ") +
                        Joined(declared.contracts) + ")";
  if (auto it = declared.renamed.find(ref.name); it != declared.renamed.end()) {
    return message + "; it was renamed to \"" + it->second + "\"";
  }
  const std::vector<std::string_view> known(declared.names.begin(), declared.names.end());
  if (const std::string hint = SuggestKey(ref.name, known); !hint.empty()) {
    message += " (did you mean \"" + hint + "\"?)";
  }
  return message;
}

}  // namespace

std::vector<std::string> CheckRuleFields(const rules::RuleSet& rules,
                                         std::span<const pipeline::Contract> contracts) {
  std::map<std::string, ConfigErrors> by_file;  // lines in file order within a file
  std::vector<std::string> files;
  for (const rules::LoadedRule& rule : rules.rules) {
    const rules::RuleSpec& spec = rule.spec;
    if (spec.field_refs.empty()) continue;
    const Declared declared = DeclaredFor(spec, contracts);
    if (declared.contracts.empty()) continue;
    for (const rules::FieldRef& ref : spec.field_refs) {
      const auto& names = declared.names;
      if (std::find(names.begin(), names.end(), ref.name) != names.end()) continue;
      auto [it, added] = by_file.try_emplace(spec.file, spec.file);
      if (added) files.push_back(spec.file);
      it->second.Add(ref.pos, Warning(spec, ref, declared));
    }
  }
  std::vector<std::string> lines;
  for (const std::string& file : files) {
    for (std::string& line : by_file.at(file).lines()) lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace ef::daemon
