// ClockWatch: a step of the wall clock (and only a step) is logged once with its size and
// counted; the sync state is kept for the pipeline and reported when it changes.
#include <doctest/doctest.h>

#include "core/clock_watch.h"
#include "tests/fakes/captured_log.h"
#include "tests/fakes/manual_clock.h"

namespace ef {
namespace {

using namespace std::chrono_literals;
using testing::CapturedLog;
using testing::FakeClockSync;
using testing::ManualClock;

double GaugeValue(MetricsRegistry& metrics, std::string_view name) {
  for (const MetricFamily& family : metrics.Snapshot()) {
    if (family.name == name && !family.series.empty()) {
      return std::get<double>(family.series.front().value);
    }
  }
  return -1;
}

TEST_CASE("time passing is not a step; a forward and a backward step are, once each") {
  ManualClock clock;
  FakeClockSync sync;
  CapturedLog captured;
  MetricsRegistry metrics;
  ClockWatch watch(clock, sync, captured.log(), metrics);
  clock.Advance(100ms);
  CHECK(watch.Check() == Clock::Duration::zero());
  clock.Advance(2h);  // a long pause between checks is still no step
  CHECK(watch.Check() == Clock::Duration::zero());
  clock.StepWall(7 * 24h);
  clock.Advance(100ms);
  CHECK(watch.Check() == Clock::Duration(7 * 24h));
  clock.Advance(100ms);
  CHECK(watch.Check() == Clock::Duration::zero());  // logged and counted once
  CHECK(metrics.CounterTotal("edgeferry_clock_steps_total") == 1);
  CHECK(GaugeValue(metrics, "edgeferry_clock_last_step_seconds") == 604800.0);
  CHECK(captured.Count("stepped forward by 604800.000 s") == 1);
  clock.StepWall(-1h);
  CHECK(watch.Check() == Clock::Duration(-1h));
  CHECK(metrics.CounterTotal("edgeferry_clock_steps_total") == 2);
  CHECK(GaugeValue(metrics, "edgeferry_clock_last_step_seconds") == -3600.0);
  CHECK(captured.Count("stepped backward by 3600.000 s") == 1);
  clock.StepWall(500ms);  // below the threshold: NTP slews such offsets
  CHECK(watch.Check() == Clock::Duration::zero());
}

TEST_CASE("the sync state is cached at each check and its changes are logged") {
  ManualClock clock;
  FakeClockSync sync(false);
  CapturedLog captured;
  MetricsRegistry metrics;
  ClockWatch watch(clock, sync, captured.log(), metrics);
  CHECK_FALSE(watch.Synchronized());
  CHECK(captured.Count("is not synchronised") == 1);
  CHECK(GaugeValue(metrics, "edgeferry_clock_synchronized") == 0);
  sync.Set(true);
  CHECK_FALSE(watch.Synchronized());  // until the next check
  watch.Check();
  CHECK(watch.Synchronized());
  CHECK(GaugeValue(metrics, "edgeferry_clock_synchronized") == 1);
  CHECK(captured.Count("is synchronised") == 1);
  watch.Check();
  CHECK(captured.Count("synchronised") == 2);  // no news, no line
}

TEST_CASE("an assumed-synchronised clock always is") {
  CHECK(AssumedClockSync().Synchronized());
  // A flag file that exists counts as systemd-timesyncd's "synchronized".
  CHECK(SystemClockSync("/").Synchronized());
}

}  // namespace
}  // namespace ef
