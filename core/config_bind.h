// Table-driven binding of a config section onto a plain struct, in the manner of
// fluent-bit's flb_config_map: each component lists its keys once, with the member each
// one fills, whether it is required, and an optional value check.
//
// BindTable() reports, with the exact position: an unknown key (with a "did you mean" hint
// when a known key is close), a value of the wrong type, a failed check, a string that is
// none of an enumerated setting's names, and a missing required key (at the table's header).
// Fields not present keep the struct's defaults.
//
// Enumerated settings are bound at load time: OneOf<&Cfg::member, kTable>() maps the string
// to the member's enum (or bool) value through a table of {name, value} pairs, so no
// component compares strings after binding.
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "core/config.h"

namespace ef {

// One name of an enumerated setting and the value it stands for.
template <class E>
struct Choice {
  std::string_view name;
  E value;
};

// The member of an enumerated setting, type-erased for ConfigField: make it with OneOf().
template <class Cfg>
struct ChoiceMember {
  // Stores the value named `text` in `out`; false when no choice has that name.
  bool (*assign)(std::string_view text, Cfg& out);
  // The names in the table's order, for the error message.
  std::vector<std::string_view> (*names)();
};

namespace config_internal {
template <class M>
struct MemberOf;
template <class C, class T>
struct MemberOf<T C::*> {
  using Class = C;
};
}  // namespace config_internal

// Binds a string key to `Member` (an enum, a bool or a std::optional of one) through `Table`,
// an array of Choice (static storage). A name not in the table is reported as:
// must be "a", "b" or "c", not "x".
template <auto Member, const auto& Table>
ChoiceMember<typename config_internal::MemberOf<decltype(Member)>::Class> OneOf() {
  using Cfg = typename config_internal::MemberOf<decltype(Member)>::Class;
  return {[](std::string_view text, Cfg& out) {
            for (const auto& choice : Table) {
              if (choice.name != text) continue;
              out.*Member = choice.value;
              return true;
            }
            return false;
          },
          [] {
            std::vector<std::string_view> names;
            for (const auto& choice : Table) names.push_back(choice.name);
            return names;
          }};
}

// The name of `value` in `table` ("?" when it has none): for logs and messages.
template <class E, size_t N>
std::string_view NameOf(const std::array<Choice<E>, N>& table, E value) {
  for (const Choice<E>& choice : table) {
    if (choice.value == value) return choice.name;
  }
  return "?";
}

template <class Cfg>
struct ConfigField {
  using Member = std::variant<std::string Cfg::*, int64_t Cfg::*, bool Cfg::*, double Cfg::*,
                              std::vector<std::string> Cfg::*, ChoiceMember<Cfg>>;
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

namespace config_internal {
// Assigns `node` to `*target` if the type fits; returns the expected type's name otherwise.
std::string_view Assign(const ConfigNode& node, std::string* target);
std::string_view Assign(const ConfigNode& node, int64_t* target);
std::string_view Assign(const ConfigNode& node, bool* target);
std::string_view Assign(const ConfigNode& node, double* target);
std::string_view Assign(const ConfigNode& node, std::vector<std::string>* target);
// 'must be "a", "b" or "c", not "x"' for a value that is none of `allowed`.
std::string NotOneOf(std::span<const std::string_view> allowed, std::string_view value);

// "'key' in [section] must be <expected>, not <the node's type>".
std::string WrongType(std::string_view key, std::string_view section, std::string_view expected,
                      const ConfigNode& node);

// Binds `node` to `member` of `out`; returns the error message, empty when bound.
template <class Cfg, class M>
std::string BindValue(const ConfigNode& node, std::string_view key, std::string_view section,
                      const M& member, Cfg& out) {
  if constexpr (std::is_same_v<M, ChoiceMember<Cfg>>) {
    if (node.type != ConfigType::kString) {
      return WrongType(key, section, ConfigTypeName(ConfigType::kString), node);
    }
    const auto& text = std::get<std::string>(node.scalar);
    if (member.assign(text, out)) return {};
    return "'" + std::string(key) + "': " + NotOneOf(member.names(), text);
  } else {
    const std::string_view expected = Assign(node, &(out.*member));
    return expected.empty() ? std::string() : WrongType(key, section, expected, node);
  }
}

void ReportUnknown(const std::string& key, const ConfigNode& node, std::string_view section,
                   std::span<const std::string_view> known, ConfigErrors& errors);

// Binds the members of `table` that `fields` lists and reports the required ones missing;
// leaves the members it does not know to the caller.
template <class Cfg>
void BindFields(const ConfigNode& table, std::string_view section,
                std::span<const ConfigField<Cfg>> fields, Cfg& out, ConfigErrors& errors) {
  for (const auto& field : fields) {
    const ConfigNode* node = table.Find(field.key);
    if (node == nullptr) {
      if (field.required) {
        errors.Add(table.pos, "missing required key '" + std::string(field.key) + "' in " +
                                  SectionLabel(section));
      }
      continue;
    }
    std::string problem = std::visit(
        [&](const auto& member) {
          return BindValue(*node, field.key, section, member, out);
        },
        field.member);
    if (problem.empty() && field.check != nullptr) {
      problem = field.check(*node);
      if (!problem.empty()) problem = "'" + std::string(field.key) + "': " + problem;
    }
    if (!problem.empty()) errors.Add(node->pos, std::move(problem));
  }
}

// Reports every member of `table` whose key is not in `known`.
void ReportUnknownKeys(const ConfigNode& table, std::string_view section,
                       std::span<const std::string_view> known, ConfigErrors& errors);
}  // namespace config_internal

template <class Cfg>
void BindTable(const ConfigNode& table, std::string_view section,
               std::span<const ConfigField<Cfg>> fields, Cfg& out, ConfigErrors& errors) {
  std::vector<std::string_view> known;
  for (const auto& field : fields) known.push_back(field.key);
  config_internal::ReportUnknownKeys(table, section, known, errors);
  config_internal::BindFields(table, section, fields, out, errors);
}

// A table whose keys belong to several components, as [streams.NAME]: storage binds the
// stream's bounds and retention, the uplink its scheduling. Each owner binds its fields with
// Bind(); a key may have more than one owner (each binds it into its own struct).
// ReportUnknown() then reports, once, the keys no owner knows, with a hint drawn from every
// owner's keys. Not thread-safe; lives for the binding of one table.
class SharedTable {
 public:
  SharedTable(const ConfigNode& table, std::string section, ConfigErrors& errors)
      : table_(table), section_(std::move(section)), errors_(errors) {}

  template <class Cfg>
  void Bind(std::span<const ConfigField<Cfg>> fields, Cfg& out) {
    for (const auto& field : fields) known_.push_back(field.key);
    config_internal::BindFields(table_, section_, fields, out, errors_);
  }
  // REQUIRES: every owner bound its fields.
  void ReportUnknown() const {
    config_internal::ReportUnknownKeys(table_, section_, known_, errors_);
  }

 private:
  const ConfigNode& table_;
  const std::string section_;
  ConfigErrors& errors_;
  std::vector<std::string_view> known_;
};

// The entry of `list` whose `name` is `name`; appended, with the type's defaults, when none is.
template <class T>
T& NamedEntry(std::vector<T>& list, const std::string& name) {
  for (T& entry : list) {
    if (entry.name == name) return entry;
  }
  list.push_back(T{});
  list.back().name = name;
  return list.back();
}

}  // namespace ef
