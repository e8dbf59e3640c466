// Table-driven binding of a config section onto a plain struct, in the manner of
// fluent-bit's flb_config_map: each component lists its keys once, with the member each
// one fills, whether it is required, and an optional value check.
//
// BindTable() reports, with the exact position: an unknown key (with a "did you mean" hint
// when a known key is close), a value of the wrong type, a failed check, and a missing
// required key (at the table's header). Fields not present keep the struct's defaults.
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/config.h"

namespace ef {

template <class Cfg>
struct ConfigField {
  using Member = std::variant<std::string Cfg::*, int64_t Cfg::*, bool Cfg::*, double Cfg::*,
                              std::vector<std::string> Cfg::*>;
  std::string_view key;
  Member member;
  bool required = false;
  // Returns an error message for a value of the right type that is still unacceptable.
  std::string (*check)(const ConfigNode&) = nullptr;
};

// The closest of `known` to `key` when it is a likely typo, else empty.
std::string SuggestKey(std::string_view key, std::span<const std::string_view> known);

// "[uplink]" for "uplink", the section name as the user wrote it.
std::string SectionLabel(std::string_view section);

// Value checks shared by components.
std::string CheckMqttUri(const ConfigNode& node);    // tcp://host:port or ssl://host:port
std::string CheckQos01(const ConfigNode& node);      // 0 or 1
std::string CheckPositive(const ConfigNode& node);   // integer > 0
std::string CheckNotNegative(const ConfigNode& node);  // integer >= 0
std::string CheckNonEmpty(const ConfigNode& node);   // non-empty string / array
// A string that is one of `allowed`; else: must be "a", "b" or "c", not "x".
std::string CheckOneOf(const ConfigNode& node, std::initializer_list<std::string_view> allowed);

namespace config_internal {
// Assigns `node` to `*target` if the type fits; returns the expected type's name otherwise.
std::string_view Assign(const ConfigNode& node, std::string* target);
std::string_view Assign(const ConfigNode& node, int64_t* target);
std::string_view Assign(const ConfigNode& node, bool* target);
std::string_view Assign(const ConfigNode& node, double* target);
std::string_view Assign(const ConfigNode& node, std::vector<std::string>* target);
void ReportUnknown(const std::string& key, const ConfigNode& node, std::string_view section,
                   std::span<const std::string_view> known, ConfigErrors& errors);
}  // namespace config_internal

template <class Cfg>
void BindTable(const ConfigNode& table, std::string_view section,
               std::span<const ConfigField<Cfg>> fields, Cfg& out, ConfigErrors& errors) {
  std::vector<std::string_view> known;
  for (const auto& field : fields) known.push_back(field.key);
  for (const auto& [key, node] : table.members) {
    const ConfigField<Cfg>* field = nullptr;
    for (const auto& candidate : fields) {
      if (candidate.key == key) field = &candidate;
    }
    if (field == nullptr) {
      config_internal::ReportUnknown(key, node, section, known, errors);
      continue;
    }
    std::string_view expected = std::visit(
        [&](auto member) { return config_internal::Assign(node, &(out.*member)); },
        field->member);
    if (!expected.empty()) {
      errors.Add(node.pos, "'" + key + "' in " + SectionLabel(section) + " must be " +
                               std::string(expected) + ", not " +
                               std::string(ConfigTypeName(node.type)));
    } else if (field->check != nullptr) {
      std::string problem = field->check(node);
      if (!problem.empty()) errors.Add(node.pos, "'" + key + "': " + problem);
    }
  }
  for (const auto& field : fields) {
    if (field.required && table.Find(field.key) == nullptr) {
      errors.Add(table.pos, "missing required key '" + std::string(field.key) + "' in " +
                                SectionLabel(section));
    }
  }
}

}  // namespace ef
