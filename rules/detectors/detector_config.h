// DetectorSpec: the keys of a `kind = "detector"` rule that choose and configure its detector
// and its alert, bound from the rule's [[rule]] table (core/config_bind.h SharedTable, so that
// unknown keys get a did-you-mean hint across the engine's keys and these). MakeDetector()
// builds a fresh detector from a spec, once per group (device) that the rule sees.
//
//   [[rule]]
//   name = "bearing-temp"
//   kind = "detector"
//   fields = ["temp"]
//   detector = "adaptive"        # threshold | rate | zscore | robust_z | ewma | flatline |
//                                # missing | adaptive
//   severity = "warning"         # info | warning | critical
//   hold_off = "10m"             # one alert per incident within 10 minutes
//
// Durations are written as the windows' are ("500ms", "30s", "5m", "1h30m"; rules/duration.h).
// Every key, its default and its meaning are listed in rules/detectors/README.md. Pure
// functions; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/config.h"
#include "core/config_bind.h"
#include "rules/detectors/adaptive_detector.h"
#include "rules/detectors/alert_tracker.h"
#include "rules/detectors/basic_detectors.h"
#include "rules/detectors/detector.h"
#include "rules/detectors/stat_detectors.h"

namespace ef::rules {

enum class DetectorType : uint8_t {
  kThreshold, kRate, kZScore, kRobustZ, kEwma, kFlatline, kMissing, kAdaptive
};

// The keys as bound (the rule file's units); ToConfigs() turns them into detector configs.
struct DetectorKeys {
  DetectorType type = DetectorType::kAdaptive;  // `detector`; Default: "adaptive"
  // threshold
  bool below = false;          // `direction` = "above" | "below"; Default: "above"
  double limit = 0.0;          // `limit`: threshold; z-limits of zscore/robust_z/ewma
  bool has_limit = false;
  double hysteresis = 0.0;     // `hysteresis`; Default: 0
  int64_t min_duration_ms = 0;  // `min_duration`; Default: "0s"
  // rate
  double max_per_s = 0.0;      // `max_per_s`: required for rate
  // zscore, robust_z
  int64_t window = 100;        // `window` samples; Default: 100
  // ewma
  double lambda = 0.2;         // `lambda`; Default: 0.2
  // flatline
  double tolerance = 0.0;      // `tolerance`; Default: 0
  int64_t duration_ms = 600000;  // `duration`; Default: "10m"
  // missing
  int64_t timeout_ms = 60000;   // `timeout`; Default: "1m"
  // adaptive: its defaults are the recommended configuration; `tail` may be lowered for fewer
  // alerts (1e-4) or raised for earlier ones (1e-2).
  double tail = 1e-3;          // `tail`; Default: 0.001
  // the alert
  AlertPolicy alert;           // debounce, debounce_time, clear_after, hold_off, renotify,
                               // severity
};

// Binds the detector and alert keys of `table` into `out` through `shared`, then checks what
// one type needs (a limit for threshold, max_per_s for rate), reporting at the key or the
// table's header.
void BindDetectorKeys(const ConfigNode& table, SharedTable& shared, DetectorKeys& out,
                      ConfigErrors& errors);

// A new detector, configured by `keys`, with no history.
std::unique_ptr<Detector> MakeDetector(const DetectorKeys& keys);

std::string_view DetectorTypeName(DetectorType type);

}  // namespace ef::rules
