#include "rules/detectors/detector_config.h"

#include <array>
#include <cmath>

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

// The alert's durations are bound in seconds, then converted.
struct AlertKeys {
  int64_t raise_after = 1;
  double raise_after_s = 0;
  double clear_after_s = 0;
  double hold_off_s = 0;
  double renotify_s = 0;
  Severity severity = Severity::kWarning;
};

std::string CheckNonNegative(const ConfigNode& node) {
  const double* d = std::get_if<double>(&node.scalar);
  const int64_t* i = std::get_if<int64_t>(&node.scalar);
  const double v = d != nullptr ? *d : i != nullptr ? static_cast<double>(*i) : 0.0;
  return v < 0 || !std::isfinite(v) ? "must be a number >= 0" : "";
}

const std::array<ConfigField<DetectorKeys>, 12> kDetectorFields = {{
    {"detector", OneOf<&DetectorKeys::type, kTypes>()},
    {"direction", OneOf<&DetectorKeys::below, kDirections>()},
    {"limit", &DetectorKeys::limit},
    {"hysteresis", &DetectorKeys::hysteresis, false, CheckNonNegative},
    {"min_duration_s", &DetectorKeys::min_duration_s, false, CheckNonNegative},
    {"max_per_s", &DetectorKeys::max_per_s, false, CheckNonNegative},
    {"window", &DetectorKeys::window, false, CheckPositive},
    {"lambda", &DetectorKeys::lambda, false, CheckNonNegative},
    {"tolerance", &DetectorKeys::tolerance, false, CheckNonNegative},
    {"duration_s", &DetectorKeys::duration_s, false, CheckNonNegative},
    {"timeout_s", &DetectorKeys::timeout_s, false, CheckNonNegative},
    {"tail", &DetectorKeys::tail, false, CheckNonNegative},
}};

const std::array<ConfigField<AlertKeys>, 6> kAlertFields = {{
    {"raise_after", &AlertKeys::raise_after, false, CheckPositive},
    {"raise_after_s", &AlertKeys::raise_after_s, false, CheckNonNegative},
    {"clear_after_s", &AlertKeys::clear_after_s, false, CheckNonNegative},
    {"hold_off_s", &AlertKeys::hold_off_s, false, CheckNonNegative},
    {"renotify_s", &AlertKeys::renotify_s, false, CheckNonNegative},
    {"severity", OneOf<&AlertKeys::severity, kSeverities>()},
}};

int64_t Ms(double seconds) { return static_cast<int64_t>(std::llround(seconds * 1000.0)); }

}  // namespace

std::string_view DetectorTypeName(DetectorType type) { return NameOf(kTypes, type); }

void BindDetectorKeys(const ConfigNode& table, SharedTable& shared, DetectorKeys& out,
                      ConfigErrors& errors) {
  shared.Bind<DetectorKeys>(kDetectorFields, out);
  AlertKeys alert;
  shared.Bind<AlertKeys>(kAlertFields, alert);
  out.alert = {.raise_after = alert.raise_after,
               .raise_after_ms = Ms(alert.raise_after_s),
               .clear_after_ms = Ms(alert.clear_after_s),
               .hold_off_ms = Ms(alert.hold_off_s),
               .renotify_ms = Ms(alert.renotify_s),
               .severity = alert.severity};
  out.has_limit = table.Find("limit") != nullptr;
  const bool needs_limit = out.type == DetectorType::kThreshold;
  if (needs_limit && !out.has_limit) {
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
          !k.below, k.limit, k.hysteresis, Ms(k.min_duration_s)});
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
      return std::make_unique<FlatlineDetector>(FlatlineConfig{k.tolerance, Ms(k.duration_s)});
    case DetectorType::kMissing:
      return std::make_unique<MissingDetector>(MissingConfig{Ms(k.timeout_s)});
    case DetectorType::kAdaptive:
      return std::make_unique<AdaptiveDetector>(AdaptiveConfig{.tail = k.tail});
  }
  return nullptr;
}

}  // namespace ef::rules
