#include "rules/detectors/detector_config.h"

#include <array>
#include <cmath>

#include "rules/duration.h"

namespace ef::rules {
namespace {

constexpr std::array<Choice<DetectorType>, 8> kTypes = {{
    {"threshold", DetectorType::kThreshold},
    {"rate", DetectorType::kRate},
    {"zscore", DetectorType::kZScore},
    {"robust_z", DetectorType::kRobustZ},
    {"ewma", DetectorType::kEwma},
    {"flatline", DetectorType::kFlatline},
    {"missing", DetectorType::kMissing},
    {"adaptive", DetectorType::kAdaptive},
}};
constexpr std::array<Choice<bool>, 2> kDirections = {{{"above", false}, {"below", true}}};
constexpr std::array<Choice<Severity>, 3> kSeverities = {{
    {"info", Severity::kInfo}, {"warning", Severity::kWarning}, {"critical", Severity::kCritical},
}};

// Durations arrive as text ("30s") and are parsed after binding (rules/duration.h).
struct DurationText {
  std::string min_duration, duration, timeout, debounce_time, clear_after, hold_off, renotify;
};

struct OtherKeys {
  int64_t debounce = 1;
  Severity severity = Severity::kWarning;
};

std::string CheckNonNegative(const ConfigNode& node) {
  const double* d = std::get_if<double>(&node.scalar);
  const int64_t* i = std::get_if<int64_t>(&node.scalar);
  const double v = d != nullptr ? *d : i != nullptr ? static_cast<double>(*i) : 0.0;
  return v < 0 || !std::isfinite(v) ? "must be a number >= 0" : "";
}

const std::array<ConfigField<DetectorKeys>, 9> kDetectorFields = {{
    {"detector", OneOf<&DetectorKeys::type, kTypes>()},
    {"direction", OneOf<&DetectorKeys::below, kDirections>()},
    {"limit", &DetectorKeys::limit},
    {"hysteresis", &DetectorKeys::hysteresis, false, CheckNonNegative},
    {"max_per_s", &DetectorKeys::max_per_s, false, CheckNonNegative},
    {"window", &DetectorKeys::window, false, CheckPositive},
    {"lambda", &DetectorKeys::lambda, false, CheckNonNegative},
    {"tolerance", &DetectorKeys::tolerance, false, CheckNonNegative},
    {"tail", &DetectorKeys::tail, false, CheckNonNegative},
}};

const std::array<ConfigField<DurationText>, 7> kDurationFields = {{
    {"min_duration", &DurationText::min_duration},
    {"duration", &DurationText::duration},
    {"timeout", &DurationText::timeout},
    {"debounce_time", &DurationText::debounce_time},
    {"clear_after", &DurationText::clear_after},
    {"hold_off", &DurationText::hold_off},
    {"renotify", &DurationText::renotify},
}};

const std::array<ConfigField<OtherKeys>, 2> kAlertFields = {{
    {"debounce", &OtherKeys::debounce, false, CheckPositive},
    {"severity", OneOf<&OtherKeys::severity, kSeverities>()},
}};

// Parses the duration bound at `key` (if any) into `*ms`, reporting bad text at its place.
void ParseDuration(const ConfigNode& table, std::string_view key, const std::string& text,
                   int64_t* ms, ConfigErrors& errors) {
  const ConfigNode* node = table.Find(key);
  if (node == nullptr || node->type != ConfigType::kString) return;
  if (const auto parsed = ParseDurationMs(text)) {
    *ms = *parsed;
    return;
  }
  errors.Add(node->pos, "'" + std::string(key) + "': \"" + text +
                            "\" is not a duration (e.g. \"500ms\", \"30s\", \"5m\", \"1h\")");
}

}  // namespace

std::string_view DetectorTypeName(DetectorType type) { return NameOf(kTypes, type); }

void BindDetectorKeys(const ConfigNode& table, SharedTable& shared, DetectorKeys& out,
                      ConfigErrors& errors) {
  shared.Bind<DetectorKeys>(kDetectorFields, out);
  DurationText text;
  shared.Bind<DurationText>(kDurationFields, text);
  OtherKeys other;
  shared.Bind<OtherKeys>(kAlertFields, other);
  ParseDuration(table, "min_duration", text.min_duration, &out.min_duration_ms, errors);
  ParseDuration(table, "duration", text.duration, &out.duration_ms, errors);
  ParseDuration(table, "timeout", text.timeout, &out.timeout_ms, errors);
  out.alert.raise_after = other.debounce;
  out.alert.severity = other.severity;
  ParseDuration(table, "debounce_time", text.debounce_time, &out.alert.raise_after_ms, errors);
  ParseDuration(table, "clear_after", text.clear_after, &out.alert.clear_after_ms, errors);
  ParseDuration(table, "hold_off", text.hold_off, &out.alert.hold_off_ms, errors);
  ParseDuration(table, "renotify", text.renotify, &out.alert.renotify_ms, errors);
  out.has_limit = table.Find("limit") != nullptr;
  if (out.type == DetectorType::kThreshold && !out.has_limit) {
    errors.Add(table.pos, "detector \"threshold\" needs 'limit'");
  }
  if (out.type == DetectorType::kRate && !(out.max_per_s > 0)) {
    const ConfigNode* node = table.Find("max_per_s");
    errors.Add(node != nullptr ? node->pos : table.pos,
               "detector \"rate\" needs 'max_per_s' > 0");
  }
}

std::unique_ptr<Detector> MakeDetector(const DetectorKeys& k) {
  switch (k.type) {
    case DetectorType::kThreshold:
      return std::make_unique<ThresholdDetector>(ThresholdConfig{
          !k.below, k.limit, k.hysteresis, k.min_duration_ms});
    case DetectorType::kRate:
      return std::make_unique<RateDetector>(RateConfig{k.max_per_s});
    case DetectorType::kZScore:
      return std::make_unique<ZScoreDetector>(
          ZScoreConfig{.window = k.window, .limit = k.has_limit ? k.limit : 3.0});
    case DetectorType::kRobustZ:
      return std::make_unique<RobustZDetector>(
          RobustZConfig{.window = k.window, .limit = k.has_limit ? k.limit : 3.5});
    case DetectorType::kEwma:
      return std::make_unique<EwmaDetector>(
          EwmaConfig{.lambda = k.lambda, .limit = k.has_limit ? k.limit : 3.0});
    case DetectorType::kFlatline:
      return std::make_unique<FlatlineDetector>(FlatlineConfig{k.tolerance, k.duration_ms});
    case DetectorType::kMissing:
      return std::make_unique<MissingDetector>(MissingConfig{k.timeout_ms});
    case DetectorType::kAdaptive:
      return std::make_unique<AdaptiveDetector>(AdaptiveConfig{.tail = k.tail});
  }
  return nullptr;
}

}  // namespace ef::rules
