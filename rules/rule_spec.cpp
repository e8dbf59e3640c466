#include "rules/rule_spec.h"

#include <fnmatch.h>

#include <array>

#include "rules/duration.h"

namespace ef::rules {
namespace {

// The duration keys are bound as text, checked here, and parsed after binding.
struct DurationText {
  std::string lateness, idle_timeout;
};

std::string CheckDuration(const ConfigNode& node) {
  const auto& text = std::get<std::string>(node.scalar);
  return ParseDurationMs(text) ? std::string()
                               : "must be a duration such as \"500ms\", \"30s\", \"5m\", "
                                 "\"1h\" or \"1m30s\", not \"" + text + "\"";
}

std::string CheckName(const ConfigNode& node) {
  const auto& name = std::get<std::string>(node.scalar);
  if (name.empty()) return "must not be empty";
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return "may hold only letters, digits, '_', '-' and '.'";
  }
  return {};
}

std::string CheckDeadband(const ConfigNode& node) {
  const double v = node.type == ConfigType::kFloat ? std::get<double>(node.scalar)
                                                   : static_cast<double>(std::get<int64_t>(node.scalar));
  return v >= 0 ? std::string() : "must be 0 or greater";
}

constexpr std::array<Choice<RawInput>, 3> kRawInputs = {{
    {"keep", RawInput::kKeep}, {"drop", RawInput::kDrop}, {"deadband", RawInput::kDeadband}}};

const std::array<ConfigField<RuleSpec>, 15> kSpecFields = {{
    {"name", &RuleSpec::name, true, CheckName},
    {"kind", &RuleSpec::kind, true, CheckNonEmpty},
    {"stream", &RuleSpec::stream, false, nullptr},
    {"topic", &RuleSpec::topic, false, nullptr},
    {"device", &RuleSpec::device, false, nullptr},
    {"fields", &RuleSpec::fields, false, nullptr},
    {"where", &RuleSpec::where_text, false, nullptr},
    {"group_by", &RuleSpec::group_by, false, CheckNonEmpty},
    {"output", &RuleSpec::output, false, CheckNonEmpty},
    {"late_stream", &RuleSpec::late_stream, false, nullptr},
    {"raw", OneOf<&RuleSpec::raw, kRawInputs>(), false, nullptr},
    {"deadband", &RuleSpec::deadband, false, CheckDeadband},
    {"publish", &RuleSpec::publish_topic, false, CheckNonEmpty},
    {"max_groups", &RuleSpec::max_groups, false, CheckPositive},
    {"max_state_bytes", &RuleSpec::max_state_bytes, false, CheckPositive},
}};

const std::array<ConfigField<DurationText>, 2> kDurationFields = {{
    {"lateness", &DurationText::lateness, false, CheckDuration},
    {"idle_timeout", &DurationText::idle_timeout, false, CheckDuration},
}};

void BindWhere(const ConfigNode& table, RuleSpec& spec, ConfigErrors& errors) {
  const ConfigNode* node = table.Find("where");
  if (node == nullptr || spec.where_text.empty()) return;
  std::string error;
  size_t offset = 0;
  if (!spec.where.Parse(spec.where_text, &error, &offset)) {
    // The column inside the string: past the opening quote.
    SourcePos at = node->pos;
    at.col += static_cast<int>(offset) + 1;
    errors.Add(at, "'where': " + error);
  }
}

// The fields named by `fields`, `where` and `group_by`, at their keys.
std::vector<FieldRef> CollectFieldRefs(const ConfigNode& table, const RuleSpec& spec) {
  std::vector<FieldRef> refs;
  auto add = [&](std::string_view key, const std::vector<std::string>& names, bool pseudo) {
    const ConfigNode* node = table.Find(key);
    if (node == nullptr) return;  // a default (group_by = ["device"]) names no field
    for (const std::string& name : names) {
      if (pseudo && (name == "device" || name == "stream")) continue;
      refs.push_back({name, std::string(key), node->key_pos});
    }
  };
  add("fields", spec.fields, false);
  add("where", spec.where.fields(), true);
  add("group_by", spec.group_by, true);
  return refs;
}

uint64_t Mix(uint64_t hash, std::string_view bytes) {
  for (const char c : bytes) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

uint64_t HashNode(uint64_t hash, const ConfigNode& node) {
  hash = Mix(hash, std::string_view(reinterpret_cast<const char*>(&node.type), 1));
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          hash = Mix(hash, v);
        } else if constexpr (!std::is_same_v<T, std::monostate>) {
          hash = Mix(hash, std::string_view(reinterpret_cast<const char*>(&v), sizeof(v)));
        }
      },
      node.scalar);
  for (const auto& [key, member] : node.members) hash = HashNode(Mix(hash, key), member);
  for (const ConfigNode& item : node.items) hash = HashNode(Mix(hash, "[]"), item);
  return hash;
}

}  // namespace

void BindRuleSpec(const ConfigNode& table, SharedTable& shared, RuleSpec& spec,
                  ConfigErrors& errors) {
  spec.pos = table.pos;
  shared.Bind<RuleSpec>(kSpecFields, spec);
  DurationText durations;
  shared.Bind<DurationText>(kDurationFields, durations);
  if (!durations.lateness.empty()) {
    spec.lateness_ms = ParseDurationMs(durations.lateness).value_or(0);
  }
  if (!durations.idle_timeout.empty()) {
    spec.idle_timeout_ms = ParseDurationMs(durations.idle_timeout).value_or(0);
  }
  BindWhere(table, spec, errors);
  PrepareGlob(spec);
  if (spec.raw == RawInput::kDeadband && spec.fields.empty()) {
    errors.Add(table.pos, "rule '" + spec.name +
                              "': raw = \"deadband\" needs `fields`, the values it compares");
  }
  spec.field_refs = CollectFieldRefs(table, spec);
  spec.fingerprint = Fingerprint(table);
}

uint64_t Fingerprint(const ConfigNode& table) { return HashNode(14695981039346656037ULL, table); }

bool TopicMatches(std::string_view filter, std::string_view topic) {
  size_t f = 0, t = 0;
  while (f < filter.size()) {
    const size_t f_end = std::min(filter.find('/', f), filter.size());
    const std::string_view level = filter.substr(f, f_end - f);
    if (level == "#") return true;
    if (t > topic.size()) return false;
    const size_t t_end = std::min(topic.find('/', t), topic.size());
    const bool any = level == "+" || (level.size() >= 2 && level.front() == '{' &&
                                      level.back() == '}');
    if (!any && level != topic.substr(t, t_end - t)) return false;
    f = f_end + 1;
    t = t_end + 1;
  }
  return t > topic.size() && f > filter.size();
}

void PrepareGlob(RuleSpec& spec) {
  using Glob = RuleSpec::Glob;
  const size_t special = spec.device.find_first_of("*?[\\");
  if (spec.device.empty()) {
    spec.device_glob = Glob::kAny;
  } else if (special == std::string::npos) {
    spec.device_glob = Glob::kExact;
  } else if (special + 1 == spec.device.size() && spec.device.back() == '*') {
    spec.device_glob = Glob::kPrefix;
  } else {
    spec.device_glob = Glob::kGeneral;
  }
}

bool GlobMatches(const std::string& pattern, const std::string& text) {
  // The common shapes without fnmatch(), which costs more than the rest of a match.
  const size_t special = pattern.find_first_of("*?[\\");
  if (special == std::string::npos) return pattern == text;
  if (special + 1 == pattern.size() && pattern.back() == '*') {
    return std::string_view(text).starts_with(std::string_view(pattern).substr(0, special));
  }
  return fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

bool DeviceMatches(const RuleSpec& spec, const std::string& device) {
  switch (spec.device_glob) {
    case RuleSpec::Glob::kAny: return true;
    case RuleSpec::Glob::kExact: return spec.device == device;
    case RuleSpec::Glob::kPrefix:
      return std::string_view(device).starts_with(
          std::string_view(spec.device).substr(0, spec.device.size() - 1));
    case RuleSpec::Glob::kGeneral: return fnmatch(spec.device.c_str(), device.c_str(), 0) == 0;
  }
  return false;
}

// Cheapest test first: most rules reject most events by stream or device.
bool Matches(const RuleSpec& spec, const Event& event) {
  if (!spec.stream.empty() && spec.stream != event.stream) return false;
  return DeviceMatches(spec, event.device_id) && MatchesBesidesDevice(spec, event);
}

bool MatchesBesidesDevice(const RuleSpec& spec, const Event& event) {
  if (!spec.stream.empty() && spec.stream != event.stream) return false;
  if (!spec.fields.empty()) {
    bool any = false;
    for (const Field& field : event.fields) {
      for (const std::string& name : spec.fields) any = any || field.name == name;
      if (any) break;
    }
    if (!any) return false;
  }
  if (!spec.topic.empty() && !TopicMatches(spec.topic, event.origin)) return false;
  return spec.where.empty() || spec.where.Passes(event);
}

std::string GroupKey(const RuleSpec& spec, const Event& event) {
  if (spec.group_by.size() == 1 && spec.group_by[0] == "device") return event.device_id;
  std::string key;
  for (size_t i = 0; i < spec.group_by.size(); ++i) {
    if (i > 0) key.push_back('|');
    Value scratch;
    const Value* v = FindField(event, spec.group_by[i], &scratch);
    if (v == nullptr) continue;
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::string>) {
            key += x;
          } else if constexpr (std::is_same_v<T, bool>) {
            key += x ? "true" : "false";
          } else {
            key += std::to_string(x);
          }
        },
        *v);
  }
  return key;
}

}  // namespace ef::rules
