// /healthz's verdict: ingest up, and the pipeline and the uplink moving (heartbeats younger
// than the stall timeout); reasons when not.
#include "daemon/health.h"

#include <doctest/doctest.h>

#include "tests/fakes/manual_clock.h"

namespace ef::daemon {
namespace {

using namespace std::chrono_literals;

struct HealthFixture {
  testing::ManualClock clock;
  Heartbeat pipeline, uplink;
  HealthCheck health{clock, pipeline, uplink, 10s};
  HealthFixture() {
    pipeline.Beat(clock.Now());
    uplink.Beat(clock.Now());
    health.SetIngestUp(true);
    health.SetUplinkExpected(true);
  }
};

TEST_CASE("healthy: ingest up, both heartbeats fresh") {
  HealthFixture f;
  f.clock.Advance(3s);
  const HealthVerdict v = f.health.Check();
  CHECK(v.healthy);
  CHECK(v.json ==
        "{\"status\":\"ok\",\"ingest\":\"up\",\"pipeline_progress_age_s\":3.0,"
        "\"uplink_progress_age_s\":3.0}\n");
}

TEST_CASE("a pipeline without progress beyond the timeout is unhealthy, and says so") {
  HealthFixture f;
  f.clock.Advance(12s);
  f.uplink.Beat(f.clock.Now());
  const HealthVerdict v = f.health.Check();
  CHECK_FALSE(v.healthy);
  CHECK(v.json.find("\"status\":\"unhealthy\"") != std::string::npos);
  CHECK(v.json.find("\"reasons\":[\"pipeline made no progress for 12.0 s\"]") !=
        std::string::npos);
  f.pipeline.Beat(f.clock.Now());
  CHECK(f.health.Check().healthy);
}

TEST_CASE("ingest down is unhealthy") {
  HealthFixture f;
  f.health.SetIngestUp(false);
  const HealthVerdict v = f.health.Check();
  CHECK_FALSE(v.healthy);
  CHECK(v.json.find("ingest is not up") != std::string::npos);
}

TEST_CASE("the uplink's heartbeat counts only while an uplink runs") {
  HealthFixture f;
  f.clock.Advance(20s);
  f.pipeline.Beat(f.clock.Now());
  CHECK_FALSE(f.health.Check().healthy);
  f.health.SetUplinkExpected(false);
  const HealthVerdict v = f.health.Check();
  CHECK(v.healthy);
  CHECK(v.json.find("\"uplink\":\"not configured\"") != std::string::npos);
}

TEST_CASE("a heartbeat that never beat is reported as not started") {
  testing::ManualClock clock;
  Heartbeat pipeline, uplink;
  HealthCheck health(clock, pipeline, uplink, 10s);
  health.SetIngestUp(true);
  const HealthVerdict v = health.Check();
  CHECK_FALSE(v.healthy);
  CHECK(v.json.find("\"pipeline_progress_age_s\":null") != std::string::npos);
  CHECK(v.json.find("pipeline has not started") != std::string::npos);
}

}  // namespace
}  // namespace ef::daemon
