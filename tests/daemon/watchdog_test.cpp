// The watchdog pings systemd every half interval while the worker threads turn, and stops
// pinging (so that systemd restarts the service) once one of them has not turned for a whole
// interval.
#include <doctest/doctest.h>

#include "daemon/watchdog.h"
#include "tests/fakes/manual_clock.h"

namespace ef::daemon {
namespace {

using namespace std::chrono_literals;

struct Rig {
  testing::ManualClock clock;
  Logger log{LogLevel::kError};
  int pings = 0;
  Heartbeat pipeline, uplink;
  Watchdog watchdog{clock, log, 10s, [this] { ++pings; }};
  void BeatBoth() {
    pipeline.Beat(clock.Now());
    uplink.Beat(clock.Now());
  }
};

TEST_CASE("pings every half interval while both threads turn") {
  Rig rig;
  for (int i = 0; i < 20; ++i) {
    rig.BeatBoth();
    rig.watchdog.Tick(rig.pipeline, &rig.uplink);
    rig.clock.Advance(1s);
  }
  CHECK(rig.pings == 4);  // at 0, 5, 10 and 15 s
  CHECK(rig.watchdog.withheld().empty());
}

TEST_CASE("a stuck thread stops the pings; they resume when it turns again") {
  Rig rig;
  rig.BeatBoth();
  rig.watchdog.Tick(rig.pipeline, &rig.uplink);
  REQUIRE(rig.pings == 1);
  rig.clock.Advance(11s);
  rig.uplink.Beat(rig.clock.Now());  // only the uplink turns: the pipeline is stuck
  rig.watchdog.Tick(rig.pipeline, &rig.uplink);
  CHECK(rig.pings == 1);
  CHECK(rig.watchdog.withheld().find("pipeline") != std::string::npos);
  rig.clock.Advance(5s);  // the next ping is due 5 s after the withheld one
  rig.BeatBoth();
  rig.watchdog.Tick(rig.pipeline, &rig.uplink);
  CHECK(rig.pings == 2);
}

TEST_CASE("without an uplink only the pipeline counts; without systemd's watchdog nothing") {
  Rig rig;
  rig.pipeline.Beat(rig.clock.Now());
  rig.watchdog.Tick(rig.pipeline, nullptr);
  CHECK(rig.pings == 1);
  int pings = 0;
  Watchdog off(rig.clock, rig.log, Clock::Duration::zero(), [&] { ++pings; });
  off.Tick(rig.pipeline, nullptr);
  CHECK(pings == 0);
}

}  // namespace
}  // namespace ef::daemon
