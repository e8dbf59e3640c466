// Known test signals for the detectors, sampled on a ManualClock: noise around a level, with
// a step, a ramp, a spike or a stuck stretch at chosen samples. Deterministic (fixed seed).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "rules/detectors/detector.h"
#include "tests/fakes/manual_clock.h"

namespace ef::testing {

struct Sample {
  int64_t t_ms;
  double value;
};

// `n` samples every `period` of f(i) plus Gaussian noise of `noise` sigma.
inline std::vector<Sample> MakeSignal(ManualClock& clock, int n, std::chrono::milliseconds period,
                                      const std::function<double(int)>& f, double noise = 1.0,
                                      unsigned seed = 7) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> gauss(0.0, noise);
  std::vector<Sample> out;
  out.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    out.push_back({clock.WallMillis(), f(i) + (noise > 0 ? gauss(rng) : 0.0)});
    clock.Advance(period);
  }
  return out;
}

// The indices of the samples the detector called anomalous.
inline std::vector<int> AnomalousAt(rules::Detector& detector, const std::vector<Sample>& s) {
  std::vector<int> hits;
  for (size_t i = 0; i < s.size(); ++i) {
    if (detector.Observe(s[i].t_ms, s[i].value).anomalous) hits.push_back(static_cast<int>(i));
  }
  return hits;
}

// The indices where the verdict turned anomalous (a would-be alert each).
inline std::vector<int> OnsetsAt(rules::Detector& detector, const std::vector<Sample>& s) {
  std::vector<int> onsets;
  bool before = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool now = detector.Observe(s[i].t_ms, s[i].value).anomalous;
    if (now && !before) onsets.push_back(static_cast<int>(i));
    before = now;
  }
  return onsets;
}

}  // namespace ef::testing
