#include "pipeline/contract/contract_check.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "pipeline/decode/event_time.h"

namespace ef::pipeline {
namespace {

bool Fail(ContractViolation* v, std::string_view code, std::string detail) {
  v->code = code;
  v->detail = std::move(detail);
  return false;
}

Field* FindField(Event& e, std::string_view name) {
  for (Field& f : e.fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

// The version a message names: an int, or text with an optional "v" ("v2", "2").
bool VersionOf(const Contract& c, Event& e, int64_t* version) {
  *version = c.versions.front().version;
  if (c.version_field.empty()) return true;
  const Field* f = FindField(e, c.version_field);
  if (f == nullptr) return true;
  if (const auto* i = std::get_if<int64_t>(&f->value)) {
    *version = *i;
    return true;
  }
  const auto* s = std::get_if<std::string>(&f->value);
  if (s == nullptr) return false;
  std::string_view text = *s;
  if (text.starts_with('v') || text.starts_with('V')) text.remove_prefix(1);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *version);
  return ec == std::errc() && end == text.data() + text.size();
}

const char* TypeOf(const Value& v) {
  static constexpr const char* kNames[] = {"a bool", "an int", "a float", "a string"};
  return kNames[v.index()];
}

// Coerces `value` to `field`'s type in place; false when it cannot be.
bool Coerce(const ContractField& field, Value& value) {
  switch (field.type) {
    case FieldType::kBool: return std::holds_alternative<bool>(value);
    case FieldType::kInt: return std::holds_alternative<int64_t>(value);
    case FieldType::kString: return std::holds_alternative<std::string>(value);
    case FieldType::kFloat:
      if (const auto* i = std::get_if<int64_t>(&value)) value = static_cast<double>(*i);
      return std::holds_alternative<double>(value);
    case FieldType::kTimestamp: {
      if (std::holds_alternative<int64_t>(value)) return true;
      const auto* s = std::get_if<std::string>(&value);
      int64_t ms = 0;
      if (s == nullptr || ParseRfc3339(*s, &ms) != TimeError::kNone) return false;
      value = ms;
      return true;
    }
  }
  return false;
}

std::string Number(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, ec == std::errc() ? end : buf);
}

bool InRange(const ContractField& field, const Value& value) {
  double v = 0;
  if (const auto* i = std::get_if<int64_t>(&value)) {
    v = static_cast<double>(*i);
  } else if (const auto* d = std::get_if<double>(&value)) {
    v = *d;
  } else {
    return true;
  }
  if (std::isnan(v)) return !field.min && !field.max;
  return (!field.min || v >= *field.min) && (!field.max || v <= *field.max);
}

bool CheckVersion(const Contract& c, const ContractVersion& version, Event& e,
                  ContractViolation* violation) {
  size_t kept = 0;
  for (size_t i = 0; i < e.fields.size(); ++i) {
    Field& f = e.fields[i];
    const ContractField* cf = f.name == c.version_field ? nullptr : version.Find(f.name);
    if (cf == nullptr && f.name != c.version_field) {
      if (c.unknown == UnknownFields::kReject) {
        return Fail(violation, "unknown_field", "field '" + f.name + "' is not in the contract");
      }
      if (c.unknown == UnknownFields::kDrop) continue;
    } else if (cf != nullptr) {
      const char* was = TypeOf(f.value);
      if (!Coerce(*cf, f.value)) {
        return Fail(violation, "wrong_type", "field '" + f.name + "' must be " +
                                                 std::string(FieldTypeName(cf->type)) + ", not " +
                                                 was);
      }
      if (!InRange(*cf, f.value)) {
        return Fail(violation, "out_of_range",
                    "field '" + f.name + "' is out of range [" +
                        (cf->min ? Number(*cf->min) : "") + ", " +
                        (cf->max ? Number(*cf->max) : "") + "]");
      }
    }
    if (kept != i) e.fields[kept] = std::move(f);
    ++kept;
  }
  e.fields.resize(kept);
  for (const ContractField& cf : version.fields) {
    if (FindField(e, cf.name) != nullptr) continue;
    if (cf.required) {
      return Fail(violation, "missing_field", "required field '" + cf.name + "' is missing");
    }
    if (cf.default_value) e.fields.push_back({cf.name, *cf.default_value});
  }
  return true;
}

// One evolution step: renames, widening, new defaults, removed fields.
void StepTo(const ContractVersion& from, const ContractVersion& to, Event& e) {
  for (const ContractField& cf : to.fields) {
    if (cf.renamed_from.empty()) continue;
    if (Field* f = FindField(e, cf.renamed_from)) f->name = cf.name;
  }
  std::erase_if(e.fields, [&](const Field& f) {
    return from.Find(f.name) != nullptr && to.Find(f.name) == nullptr;
  });
  for (const ContractField& cf : to.fields) {
    Field* f = FindField(e, cf.name);
    if (f == nullptr) {
      if (cf.default_value) e.fields.push_back({cf.name, *cf.default_value});
    } else if (cf.type == FieldType::kFloat) {
      if (const auto* i = std::get_if<int64_t>(&f->value)) f->value = static_cast<double>(*i);
    }
  }
}

}  // namespace

bool CheckAndNormalise(const Contract& c, Event& e, ContractViolation* violation) {
  int64_t number = 0;
  const ContractVersion* version = VersionOf(c, e, &number) ? c.Find(number) : nullptr;
  if (version == nullptr) {
    return Fail(violation, "unknown_version",
                "contract '" + c.name + "': unknown version in '" + c.version_field + "'");
  }
  if (!CheckVersion(c, *version, e, violation)) {
    violation->detail = "contract '" + c.name + "' v" + std::to_string(number) + ": " +
                        violation->detail;
    return false;
  }
  for (size_t i = 0; i + 1 < c.versions.size(); ++i) {
    if (c.versions[i].version >= number) StepTo(c.versions[i], c.versions[i + 1], e);
  }
  if (!c.version_field.empty()) {
    if (Field* f = FindField(e, c.version_field)) {
      f->value = c.newest().version;
    } else {
      e.fields.push_back({c.version_field, c.newest().version});
    }
  }
  return true;
}

}  // namespace ef::pipeline
