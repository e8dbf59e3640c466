// The adaptive detector on known signals with its defaults (no tuning per signal): a spike
// and a level shift alert once, the new level becomes normal, a slow drift and plain noise
// never alert, and a restored checkpoint continues exactly.
#include "rules/detectors/adaptive_detector.h"

#include <doctest/doctest.h>

#include "tests/rules/signals.h"

namespace ef::rules {
namespace {

using std::chrono::seconds;
using testing::MakeSignal;
using testing::ManualClock;
using testing::OnsetsAt;

TEST_CASE("adaptive: noise alone never alerts, whatever its scale") {
  for (const double scale : {0.001, 1.0, 1000.0}) {
    CAPTURE(scale);
    ManualClock clock;
    auto s = MakeSignal(clock, 5000, seconds(1), [](int) { return 50.0; }, scale);
    AdaptiveDetector detector({});
    CHECK(OnsetsAt(detector, s).empty());
  }
}

TEST_CASE("adaptive: a spike alerts at the spike") {
  ManualClock clock;
  auto s = MakeSignal(clock, 3000, seconds(1), [](int i) { return i == 2000 ? 20.0 : 0.0; });
  AdaptiveDetector detector({});
  const auto onsets = OnsetsAt(detector, s);
  REQUIRE(onsets.size() == 1);
  CHECK(onsets[0] == 2000);
}

TEST_CASE("adaptive: a level shift alerts once, then the new level is normal") {
  ManualClock clock;
  auto s = MakeSignal(clock, 8000, seconds(1), [](int i) { return i < 2000 ? 0.0 : 8.0; });
  AdaptiveDetector detector({});
  const auto onsets = OnsetsAt(detector, s);
  REQUIRE(onsets.size() == 1);
  CHECK(onsets[0] >= 2000);
  CHECK(onsets[0] <= 2005);
}

TEST_CASE("adaptive: a slow drift does not alert") {
  ManualClock clock;
  auto s = MakeSignal(clock, 8000, seconds(1), [](int i) { return 0.002 * i; });
  AdaptiveDetector detector({});
  CHECK(OnsetsAt(detector, s).empty());
}

TEST_CASE("adaptive: a restored checkpoint continues exactly") {
  ManualClock clock;
  auto s = MakeSignal(clock, 3000, seconds(1), [](int i) { return i < 2500 ? 0.0 : 8.0; });
  AdaptiveDetector a({});
  for (int i = 0; i < 2000; ++i) a.Observe(s[i].t_ms, s[i].value);
  AdaptiveDetector b({});
  // The values (8 bytes each) and the 16-bit surprises; the changes are rebuilt.
  CHECK(a.SaveState().size() < 8 * 1500 + 2 * 1505 + 100);
  REQUIRE(b.LoadState(a.SaveState()).ok());
  for (size_t i = 2000; i < s.size(); ++i) {
    const Verdict va = a.Observe(s[i].t_ms, s[i].value);
    const Verdict vb = b.Observe(s[i].t_ms, s[i].value);
    CHECK(va.score == vb.score);
    CHECK(va.anomalous == vb.anomalous);
  }
  CHECK_FALSE(b.LoadState(AdaptiveDetector({.history = 10}).SaveState() + " 1").ok());
}

}  // namespace
}  // namespace ef::rules
