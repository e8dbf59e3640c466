// The statistical detectors (z-score, robust z-score, EWMA chart) on known signals: a spike
// and a step alert, a slow drift does not, a restored checkpoint continues exactly.
#include "rules/detectors/stat_detectors.h"

#include <doctest/doctest.h>

#include <memory>

#include "tests/rules/signals.h"

namespace ef::rules {
namespace {

using std::chrono::seconds;
using testing::AnomalousAt;
using testing::MakeSignal;
using testing::ManualClock;
using testing::OnsetsAt;

std::unique_ptr<Detector> Make(int which) {
  switch (which) {
    case 0: return std::make_unique<ZScoreDetector>(ZScoreConfig{.window = 100, .limit = 5.0});
    case 1: return std::make_unique<RobustZDetector>(RobustZConfig{.window = 100, .limit = 6.0});
    default: return std::make_unique<EwmaDetector>(EwmaConfig{.lambda = 0.2, .limit = 4.0});
  }
}

TEST_CASE("statistical detectors: a spike alerts at the spike") {
  for (int which = 0; which < 3; ++which) {
    CAPTURE(which);
    ManualClock clock;
    auto s = MakeSignal(clock, 300, seconds(1), [](int i) { return i == 200 ? 40.0 : 10.0; });
    auto detector = Make(which);
    const auto onsets = OnsetsAt(*detector, s);
    REQUIRE_FALSE(onsets.empty());
    CHECK(onsets.front() == 200);
    // The EWMA statistic decays over a few samples after the spike and may dip in and out of
    // its limit meanwhile (the alert's clear_after absorbs that); nothing after it.
    CHECK(onsets.back() <= 215);
  }
}

TEST_CASE("statistical detectors: a step alerts within a few samples") {
  for (int which = 0; which < 3; ++which) {
    CAPTURE(which);
    ManualClock clock;
    auto s = MakeSignal(clock, 300, seconds(1), [](int i) { return i < 200 ? 10.0 : 20.0; });
    auto detector = Make(which);
    const auto hits = AnomalousAt(*detector, s);
    REQUIRE_FALSE(hits.empty());
    CHECK(hits.front() >= 200);
    CHECK(hits.front() <= 203);
  }
}

TEST_CASE("statistical detectors: a slow drift does not alert") {
  for (int which = 0; which < 3; ++which) {
    CAPTURE(which);
    ManualClock clock;
    // 2000 samples drifting by 20 sigma in all, 0.01 sigma per sample.
    auto s = MakeSignal(clock, 2000, seconds(1), [](int i) { return 10.0 + 0.01 * i; });
    auto detector = Make(which);
    CHECK(AnomalousAt(*detector, s).empty());
  }
}

TEST_CASE("robust z: one outlier in the window does not hide the next") {
  ManualClock clock;
  auto s = MakeSignal(clock, 200, seconds(1), [](int i) {
    return i == 150 || i == 160 ? 60.0 : 10.0;
  });
  RobustZDetector detector({.window = 100, .limit = 6.0});
  const auto hits = AnomalousAt(detector, s);
  REQUIRE(hits.size() == 2);
  CHECK(hits[1] == 160);
}

TEST_CASE("statistical detectors: a restored checkpoint continues exactly") {
  for (int which = 0; which < 3; ++which) {
    CAPTURE(which);
    ManualClock clock;
    auto s = MakeSignal(clock, 400, seconds(1), [](int i) { return i < 300 ? 10.0 : 14.0; });
    auto a = Make(which);
    for (int i = 0; i < 250; ++i) a->Observe(s[i].t_ms, s[i].value);
    auto b = Make(which);
    REQUIRE(b->LoadState(a->SaveState()).ok());
    for (size_t i = 250; i < s.size(); ++i) {
      const Verdict va = a->Observe(s[i].t_ms, s[i].value);
      const Verdict vb = b->Observe(s[i].t_ms, s[i].value);
      CHECK(va.score == vb.score);
      CHECK(va.anomalous == vb.anomalous);
    }
    CHECK_FALSE(b->LoadState("nonsense").ok());
  }
}

}  // namespace
}  // namespace ef::rules
