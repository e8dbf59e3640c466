// AdaptiveDetector: anomaly detection for a sensor whose normal behaviour nobody described.
// One configuration for every series; nothing to tune per sensor.
//
// Two layers, both learned online from the series itself:
//  1. Surprise. For each sample, how rare is its value, and how rare is its change from the
//     previous sample, among the last `history` samples? Rarity is the empirical tail
//     probability p = (k + 1) / (n + 1), k = how many remembered values lie at least as far
//     from their median; the surprise is log(1/p) / log(n + 1), in [0, 1] whatever the
//     signal's unit, scale or shape (no Gaussian assumption). The larger of the two counts.
//  2. Likelihood (as NAB's "anomaly likelihood"). The mean surprise of the last `smoothing`
//     samples is compared with the distribution of surprises over the last
//     `likelihood_window` samples; the sample is anomalous when that mean lies in the tail
//     beyond `tail` (Gaussian tail of the surprises' mean and spread). A noisy sensor, always
//     a little surprising, has a wide distribution of surprises and must do far better
//     than usual to alert.
// As the history slides, a new normal (a level shift that stays) becomes ordinary within
// `history` samples, and a slow drift never looks rare. After it fires, the detector stays
// quiet for `rearm` samples unless the condition ends and comes back after them, so one
// incident is one alert. The score is the likelihood 1 - tail probability, in [0, 1].
//
// Surprises are rounded to 16 bits (steps of 1/65535) as they are learned, so that they
// checkpoint in two bytes each and their running sums are exact integers.
//
// Cost: O(log history) comparisons and two memmoves of at most `history` doubles per sample
// (sorted_window.h); memory about 8 * 4 * history + 2 * likelihood_window bytes (51 KB with
// the defaults). The checkpoint holds the values (8 bytes each) and the surprises (2 bytes
// each), about 15 KB with the defaults; the changes are rebuilt from the values on restore,
// which continues bit-for-bit. Not thread-safe (see detector.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rules/detectors/detector.h"
#include "rules/detectors/quantised_ring.h"
#include "rules/detectors/sorted_window.h"

namespace ef::rules {

struct AdaptiveConfig {
  int64_t history = 1500;            // Default: 1500 samples of values and of changes
  int64_t smoothing = 5;             // Default: 5 samples averaged before the tail test
  int64_t likelihood_window = 1500;  // Default: 1500 surprises
  double tail = 1e-3;                // Default: 0.001 (anomalous beyond this tail)
  int64_t rearm = 150;               // Default: 150 samples of quiet after firing
  int64_t min_samples = 100;         // Default: 100 (silent while learning)
};

class AdaptiveDetector final : public Detector {
 public:
  explicit AdaptiveDetector(AdaptiveConfig config);
  std::string_view kind() const override { return "adaptive"; }
  Verdict Observe(int64_t t_ms, double value) override;
  std::string SaveState() const override;
  Status LoadState(std::string_view bytes) override;

 private:
  // Surprise of `x` among `ring`'s values, in [0, 1]; 0 while fewer than min_samples.
  double Surprise(const SortedWindow& window, double x) const;
  // Tail probability of the recent mean surprise `mean` among the learned surprises.
  double TailOf(double mean) const;

  AdaptiveConfig config_;
  SortedWindow values_;
  SortedWindow changes_;  // not checkpointed: rebuilt from values_ and dropped_
  QuantisedRing surprises_;
  QuantisedRing recent_;  // the last `smoothing` surprises
  bool has_prev_ = false;
  double prev_ = 0.0;
  bool has_dropped_ = false;
  double dropped_ = 0.0;  // the value values_ last let go (the oldest change's start)
  int64_t since_fired_ = 0;
  bool active_ = false;
};

}  // namespace ef::rules
