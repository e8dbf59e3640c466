// The statistical detectors: a z-score over a window, a robust z-score (median/MAD) over a
// window, and an EWMA control chart. Each learns what "normal" is from the series itself
// but needs its limits chosen by someone who knows the sensor (adaptive_detector.h does
// not). See detector.h for the shared contract. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rules/detectors/detector.h"
#include "rules/detectors/sample_ring.h"
#include "rules/detectors/sorted_window.h"

namespace ef::rules {

// z = (value - mean) / stddev of the previous `window` samples; anomalous when |z| >= limit.
// Silent until `min_samples` are known or while the window has no spread.
struct ZScoreConfig {
  int64_t window = 100;     // Default: 100 samples
  double limit = 3.0;       // Default: 3
  int64_t min_samples = 20;  // Default: 20
};

class ZScoreDetector final : public Detector {
 public:
  explicit ZScoreDetector(ZScoreConfig config);
  std::string_view kind() const override { return "zscore"; }
  Verdict Observe(int64_t t_ms, double value) override;
  std::string SaveState() const override;
  Status LoadState(std::string_view bytes) override;

 private:
  ZScoreConfig config_;
  SampleRing ring_;
};

// Robust z = 0.6745 * (value - median) / MAD of the previous `window` samples (Iglewicz and
// Hoaglin's modified z-score): one outlier in the window does not blind it as it does the
// plain z-score. Anomalous when |z| >= limit.
struct RobustZConfig {
  int64_t window = 100;     // Default: 100 samples
  double limit = 3.5;       // Default: 3.5 (Iglewicz and Hoaglin)
  int64_t min_samples = 20;  // Default: 20
};

class RobustZDetector final : public Detector {
 public:
  explicit RobustZDetector(RobustZConfig config);
  std::string_view kind() const override { return "robust_z"; }
  Verdict Observe(int64_t t_ms, double value) override;
  std::string SaveState() const override;
  Status LoadState(std::string_view bytes) override;

 private:
  RobustZConfig config_;
  SortedWindow window_;
};

// EWMA control chart (Roberts 1959): the statistic s = lambda * value + (1 - lambda) * s is
// compared with the baseline mean +- limit * sigma * sqrt(lambda / (2 - lambda)). The
// baseline (mean, sigma) is learned from the first `warmup` samples and then follows the
// in-control samples slowly (weight `baseline_alpha`), so a slow drift moves the baseline
// instead of raising an alert; a shift faster than that does.
struct EwmaConfig {
  double lambda = 0.2;           // Default: 0.2
  double limit = 3.0;            // Default: 3 (L, in sigmas of the statistic)
  int64_t warmup = 30;           // Default: 30 samples
  double baseline_alpha = 0.01;  // Default: 0.01 (0: a fixed baseline after the warm-up)
};

class EwmaDetector final : public Detector {
 public:
  explicit EwmaDetector(EwmaConfig config) : config_(config) {}
  std::string_view kind() const override { return "ewma"; }
  Verdict Observe(int64_t t_ms, double value) override;
  std::string SaveState() const override;
  Status LoadState(std::string_view bytes) override;

 private:
  EwmaConfig config_;
  int64_t n_ = 0;
  double mean_ = 0.0;  // baseline
  double m2_ = 0.0;    // Welford's sum of squares during the warm-up, then the variance
  double stat_ = 0.0;  // the EWMA statistic
};

}  // namespace ef::rules
