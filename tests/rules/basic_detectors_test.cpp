// The rule-based detectors on known signals, on a manual clock: threshold (hysteresis,
// minimum duration), rate of change (time-normalised), flatline, missing data (driven by time).
#include "rules/detectors/basic_detectors.h"

#include <doctest/doctest.h>

#include "tests/rules/signals.h"

namespace ef::rules {
namespace {

using std::chrono::seconds;
using testing::AnomalousAt;
using testing::MakeSignal;
using testing::ManualClock;
using testing::OnsetsAt;

TEST_CASE("threshold: a step above the limit alerts after the minimum duration, clears with hysteresis") {
  ManualClock clock;
  // 10 s samples: 5 below, 10 at 12, then 9.5 (inside the hysteresis band), then 8.
  auto s = MakeSignal(clock, 30, seconds(10), [](int i) {
    return i < 5 ? 5.0 : i < 15 ? 12.0 : i < 20 ? 9.5 : 8.0;
  }, 0.0);
  ThresholdDetector detector({.above = true, .limit = 10.0, .hysteresis = 1.0,
                              .min_duration_ms = 30000});
  const auto hits = AnomalousAt(detector, s);
  REQUIRE_FALSE(hits.empty());
  CHECK(hits.front() == 8);   // breach from sample 5, 30 s later
  CHECK(hits.back() == 19);   // 9.5 is within the hysteresis: still active; 8 clears
}

TEST_CASE("threshold: a spike shorter than the minimum duration does not alert; below works") {
  ManualClock clock;
  auto s = MakeSignal(clock, 20, seconds(10), [](int i) { return i == 10 ? 50.0 : 5.0; }, 0.0);
  ThresholdDetector above({.above = true, .limit = 10.0, .min_duration_ms = 20000});
  CHECK(AnomalousAt(above, s).empty());
  ThresholdDetector below({.above = false, .limit = 6.0});
  CHECK(AnomalousAt(below, s).size() == 19);
}

TEST_CASE("rate: a ramp within the rate is normal, a spike is not, the rate is per second") {
  ManualClock clock;
  auto ramp = MakeSignal(clock, 50, seconds(2), [](int i) { return 0.5 * 2 * i; }, 0.0);
  RateDetector detector({.max_per_s = 1.0});
  CHECK(AnomalousAt(detector, ramp).empty());  // 0.5 per second
  // 5 units in 10 s is 0.5/s (normal); 5 units in 1 s is 5/s.
  CHECK_FALSE(detector.Observe(ramp.back().t_ms + 10000, ramp.back().value + 5).anomalous);
  const Verdict spike = detector.Observe(ramp.back().t_ms + 11000, ramp.back().value + 10);
  CHECK(spike.anomalous);
  CHECK(spike.score == doctest::Approx(5.0));
}

TEST_CASE("flatline: a stuck value alerts after the duration; noise within no tolerance does not") {
  ManualClock clock;
  auto s = MakeSignal(clock, 100, seconds(10), [](int i) { return i < 40 ? 20.0 : 0.0; }, 0.5);
  for (size_t i = 40; i < s.size(); ++i) s[i].value = 21.25;  // stuck from sample 40
  FlatlineDetector detector({.tolerance = 0.01, .duration_ms = 300000});
  const auto onsets = OnsetsAt(detector, s);
  REQUIRE(onsets.size() == 1);
  CHECK(onsets[0] == 70);  // 300 s after sample 40
}

TEST_CASE("missing: a gap is reported by time, without the next sample; the next sample ends it") {
  ManualClock clock;
  MissingDetector detector({.timeout_ms = 60000});
  CHECK(detector.NextDeadline() == Detector::kNoDeadline);  // nothing seen, nothing missing
  detector.Observe(clock.WallMillis(), 1.0);
  const int64_t deadline = detector.NextDeadline();
  CHECK(deadline == clock.WallMillis() + 60000);
  clock.Advance(seconds(59));
  CHECK_FALSE(detector.Tick(clock.WallMillis()).anomalous);
  clock.Advance(seconds(1));
  const Verdict gap = detector.Tick(clock.WallMillis());
  CHECK(gap.anomalous);
  CHECK(gap.score == doctest::Approx(60.0));
  CHECK(detector.NextDeadline() == Detector::kNoDeadline);  // reported once per gap
  clock.Advance(seconds(30));
  CHECK_FALSE(detector.Observe(clock.WallMillis(), 2.0).anomalous);
  CHECK(detector.NextDeadline() == clock.WallMillis() + 60000);
}

TEST_CASE("basic detectors: a restored checkpoint continues exactly; a foreign one is refused") {
  ManualClock clock;
  auto s = MakeSignal(clock, 60, seconds(10), [](int i) { return i % 20 < 10 ? 5.0 : 15.0; });
  ThresholdDetector a({.limit = 10.0, .hysteresis = 1.0, .min_duration_ms = 20000});
  FlatlineDetector f({.tolerance = 3.0, .duration_ms = 50000});
  for (int i = 0; i < 30; ++i) {
    a.Observe(s[i].t_ms, s[i].value);
    f.Observe(s[i].t_ms, s[i].value);
  }
  ThresholdDetector b({.limit = 10.0, .hysteresis = 1.0, .min_duration_ms = 20000});
  FlatlineDetector g({.tolerance = 3.0, .duration_ms = 50000});
  REQUIRE(b.LoadState(a.SaveState()).ok());
  REQUIRE(g.LoadState(f.SaveState()).ok());
  for (size_t i = 30; i < s.size(); ++i) {
    CHECK(a.Observe(s[i].t_ms, s[i].value).anomalous == b.Observe(s[i].t_ms, s[i].value).anomalous);
    CHECK(f.Observe(s[i].t_ms, s[i].value).score == g.Observe(s[i].t_ms, s[i].value).score);
  }
  CHECK_FALSE(b.LoadState(f.SaveState()).ok());
  CHECK_FALSE(b.LoadState("threshold 1").ok());
}

}  // namespace
}  // namespace ef::rules
