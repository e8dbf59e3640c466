// Binding and validation of the "window" kind's keys: the type's required keys, keys that do
// not apply to the type, hop larger than the window, unknown aggregates with a hint.
#include <algorithm>
#include <array>

#include "rules/duration.h"
#include "rules/window_rule.h"

namespace ef::rules {
namespace {

struct WindowText {
  WindowType type = WindowType::kTumbling;
  std::string size, hop, gap, max_length;
  int64_t events = 0, max_samples = 10'000;
  std::vector<std::string> aggregates = {"count", "mean", "min", "max"};
};

constexpr std::array<Choice<WindowType>, 5> kWindowTypes = {{
    {"tumbling", WindowType::kTumbling},
    {"hopping", WindowType::kHopping},
    {"sliding", WindowType::kSliding},
    {"session", WindowType::kSession},
    {"count", WindowType::kCount},
}};

std::string CheckDuration(const ConfigNode& node) {
  const auto& text = std::get<std::string>(node.scalar);
  const auto ms = ParseDurationMs(text);
  if (!ms) {
    return "must be a duration such as \"500ms\", \"30s\", \"5m\", \"1h\" or \"1m30s\", not \"" +
           text + "\"";
  }
  return *ms > 0 ? std::string() : "must be longer than 0s";
}

const std::array<ConfigField<WindowText>, 8> kWindowFields = {{
    {"window", OneOf<&WindowText::type, kWindowTypes>(), true, nullptr},
    {"size", &WindowText::size, false, CheckDuration},
    {"hop", &WindowText::hop, false, CheckDuration},
    {"gap", &WindowText::gap, false, CheckDuration},
    {"max_length", &WindowText::max_length, false, CheckDuration},
    {"events", &WindowText::events, false, CheckPositive},
    {"max_samples", &WindowText::max_samples, false, CheckPositive},
    {"aggregates", &WindowText::aggregates, false, CheckNonEmpty},
}};

// Which keys each type takes (beyond `window` and `aggregates`).
struct TypeKeys {
  WindowType type;
  std::array<std::string_view, 3> keys;
};
constexpr std::array<TypeKeys, 5> kTypeKeys = {{
    {WindowType::kTumbling, {"size", "", ""}},
    {WindowType::kHopping, {"size", "hop", ""}},
    {WindowType::kSliding, {"size", "events", "max_samples"}},
    {WindowType::kSession, {"gap", "max_length", ""}},
    {WindowType::kCount, {"events", "", ""}},
}};

void CheckKeysApply(const ConfigNode& table, WindowType type, ConfigErrors& errors) {
  static constexpr std::string_view kTyped[] = {"size", "hop", "gap", "max_length", "events",
                                                "max_samples"};
  const TypeKeys* mine = nullptr;
  for (const TypeKeys& t : kTypeKeys) mine = t.type == type ? &t : mine;
  for (std::string_view key : kTyped) {
    const ConfigNode* node = table.Find(key);
    if (node == nullptr) continue;
    if (std::find(mine->keys.begin(), mine->keys.end(), key) != mine->keys.end()) continue;
    errors.Add(node->key_pos, "'" + std::string(key) + "' does not apply to " +
                                  std::string(NameOf(kWindowTypes, type)) + " windows");
  }
}

void Require(const ConfigNode& table, bool present, std::string_view what, WindowType type,
             ConfigErrors& errors) {
  if (present) return;
  errors.Add(table.pos, std::string(NameOf(kWindowTypes, type)) + " windows need " +
                            std::string(what));
}

void CheckShape(const ConfigNode& table, const WindowText& text, const WindowConfig& config,
                ConfigErrors& errors) {
  switch (config.type) {
    case WindowType::kTumbling:
      Require(table, config.size_ms > 0, "'size' (e.g. size = \"1m\")", config.type, errors);
      break;
    case WindowType::kHopping:
      Require(table, config.size_ms > 0, "'size' (e.g. size = \"1m\")", config.type, errors);
      Require(table, config.hop_ms > 0, "'hop' (e.g. hop = \"10s\")", config.type, errors);
      if (config.hop_ms > config.size_ms && config.size_ms > 0) {
        errors.Add(table.Find("hop")->pos,
                   "'hop' (" + text.hop + ") is larger than the window 'size' (" + text.size +
                       "): events between windows would be missed (did you mean size = \"" +
                       text.hop + "\", hop = \"" + text.size + "\"?)");
      }
      break;
    case WindowType::kSliding:
      Require(table, (config.size_ms > 0) != (config.events > 0),
              "either 'size' (the last N of event time) or 'events' (the last N events)",
              config.type, errors);
      break;
    case WindowType::kSession:
      Require(table, config.gap_ms > 0, "'gap' (e.g. gap = \"30s\")", config.type, errors);
      break;
    case WindowType::kCount:
      Require(table, config.events > 0, "'events' (e.g. events = 100)", config.type, errors);
      break;
  }
}

void BindAggregates(const ConfigNode& table, const WindowText& text, WindowConfig& config,
                    ConfigErrors& errors) {
  std::vector<std::string_view> names;
  for (const AggregateDef& def : AllAggregates()) names.push_back(def.name);
  const ConfigNode* node = table.Find("aggregates");
  for (size_t i = 0; i < text.aggregates.size(); ++i) {
    const std::string& name = text.aggregates[i];
    if (const AggregateDef* def = FindAggregate(name)) {
      config.aggregates.push_back(def);
      continue;
    }
    std::string message = "unknown aggregate \"" + name + "\"";
    if (const std::string hint = SuggestKey(name, names); !hint.empty()) {
      message += " (did you mean \"" + hint + "\"?)";
    } else {
      message += "; known: count, sum, min, max, mean, stddev, first, last, delta, rate, p50, "
                 "p90, p95, p99";
    }
    errors.Add(node != nullptr && i < node->items.size() ? node->items[i].pos : table.pos,
               std::move(message));
  }
}

}  // namespace

std::unique_ptr<Rule> MakeWindowRule(const ConfigNode& table, SharedTable& shared,
                                     RuleSpec& spec, ConfigErrors& errors) {
  const size_t errors_before = errors.lines().size();
  WindowText text;
  shared.Bind<WindowText>(kWindowFields, text);
  WindowConfig config;
  config.type = text.type;
  for (auto [from, to] : {std::pair{&text.size, &config.size_ms}, {&text.hop, &config.hop_ms},
                          {&text.gap, &config.gap_ms}, {&text.max_length, &config.max_length_ms}}) {
    if (!from->empty()) *to = ParseDurationMs(*from).value_or(0);
  }
  config.events = text.events;
  config.max_samples = text.max_samples;
  if (table.Find("window") != nullptr) {
    CheckKeysApply(table, config.type, errors);
    CheckShape(table, text, config, errors);
  }
  BindAggregates(table, text, config, errors);
  if (errors.lines().size() == errors_before) {
    return NewWindowRule(spec, std::move(config));
  }
  return nullptr;
}

}  // namespace ef::rules
