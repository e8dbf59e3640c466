// The rule-based detectors: a limit, a rate of change, a stuck sensor, missing data. Each is
// configured once (a plain struct, every field documented with its default) and then fed
// samples in event time; see detector.h for the shared contract. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rules/detectors/detector.h"

namespace ef::rules {

// Anomalous once the value has been beyond `limit` for `min_duration_ms`; stays anomalous
// until it is back by `hysteresis` (above: value <= limit - hysteresis). Score: how far the
// value is beyond the limit (negative inside).
struct ThresholdConfig {
  bool above = true;            // Default: true (false: alert below the limit)
  double limit = 0.0;           // required
  double hysteresis = 0.0;      // Default: 0
  int64_t min_duration_ms = 0;  // Default: 0 (the first sample beyond the limit)
};

class ThresholdDetector final : public Detector {
 public:
  explicit ThresholdDetector(ThresholdConfig config) : config_(config) {}
  std::string_view kind() const override { return "threshold"; }
  Verdict Observe(int64_t t_ms, double value) override;
  std::string SaveState() const override;
  Status LoadState(std::string_view bytes) override;

 private:
  ThresholdConfig config_;
  int64_t breach_since_ms_ = -1;  // first sample of the current breach, -1 when none
  bool active_ = false;
};

// Anomalous when |value change per second| between consecutive samples exceeds
// `max_per_s`; the rate is normalised by the time between them, so an irregular sample
// rate does not matter. Samples with the same time as the previous one are skipped.
struct RateConfig {
  double max_per_s = 1.0;  // required
};

class RateDetector final : public Detector {
 public:
  explicit RateDetector(RateConfig config) : config_(config) {}
  std::string_view kind() const override { return "rate"; }
  Verdict Observe(int64_t t_ms, double value) override;
  std::string SaveState() const override;
  Status LoadState(std::string_view bytes) override;

 private:
  RateConfig config_;
  bool has_prev_ = false;
  int64_t prev_ms_ = 0;
  double prev_ = 0.0;
};

// Stuck sensor: anomalous when every sample for at least `duration_ms` stayed within
// `tolerance` (max - min) of each other. Score: seconds the value has been flat.
struct FlatlineConfig {
  double tolerance = 0.0;       // Default: 0 (exactly the same value)
  int64_t duration_ms = 600000;  // Default: 10 minutes
};

class FlatlineDetector final : public Detector {
 public:
  explicit FlatlineDetector(FlatlineConfig config) : config_(config) {}
  std::string_view kind() const override { return "flatline"; }
  Verdict Observe(int64_t t_ms, double value) override;
  std::string SaveState() const override;
  Status LoadState(std::string_view bytes) override;

 private:
  FlatlineConfig config_;
  bool has_run_ = false;
  int64_t run_since_ms_ = 0;
  double run_min_ = 0.0;
  double run_max_ = 0.0;
};

// Missing data: anomalous when no sample came for `timeout_ms`. Driven by time, not by the
// next sample: NextDeadline() is the last sample's time + timeout, and Tick() at or after it
// says anomalous (score: seconds since the last sample). The next sample ends it. Before the
// first sample there is nothing to miss.
struct MissingConfig {
  int64_t timeout_ms = 60000;  // Default: 60 s
};

class MissingDetector final : public Detector {
 public:
  explicit MissingDetector(MissingConfig config) : config_(config) {}
  std::string_view kind() const override { return "missing"; }
  Verdict Observe(int64_t t_ms, double value) override;
  int64_t NextDeadline() const override;
  Verdict Tick(int64_t t_ms) override;
  std::string SaveState() const override;
  Status LoadState(std::string_view bytes) override;

 private:
  MissingConfig config_;
  bool has_last_ = false;
  int64_t last_ms_ = 0;
  bool reported_ = false;  // the current gap was reported; the next deadline is "never"
};

}  // namespace ef::rules
