// Issue 16, the uplink's part: a batched uplink never stalls because the wall clock stepped
// (the linger deadline is on the monotonic clock and at most batch_linger away), and a stream
// that has events and a connected uplink but sends nothing is a warning and a metric.
#include <doctest/doctest.h>

#include "tests/fakes/forwarder_rig.h"
#include "tests/fakes/wait.h"

namespace ef::uplink {
namespace {

using namespace std::chrono_literals;
using testing::JsonEvents;
using testing::WaitUntil;

ForwarderOptions JsonBatches() {
  ForwarderOptions options;
  options.topic_template = "edgeferry/{gateway}/{stream}";
  options.batch = BatchFormat::kJson;
  options.batch_max_events = 100;
  options.batch_linger = 20ms;
  return options;
}

double StalledLanes(MetricsRegistry& metrics) {
  for (const MetricFamily& family : metrics.Snapshot()) {
    if (family.name == "edgeferry_uplink_stalled_lanes") {
      return std::get<double>(family.series.front().value);
    }
  }
  return -1;
}

TEST_CASE("events stamped later than the clock (it was set back since) go without waiting") {
  for (const auto ahead : {Clock::Duration(1h), Clock::Duration(7 * 24h)}) {
    CAPTURE(ahead.count());
    testing::ForwarderRig rig(JsonBatches());
    const auto ahead_ms = std::chrono::duration_cast<std::chrono::milliseconds>(ahead);
    const int64_t future_ms = rig.clock.WallMillis() + ahead_ms.count();
    rig.Append(JsonEvents(338, "telemetry", "{}", future_ms));  // a small backlog
    rig.forwarder->Start();
    REQUIRE(rig.publisher.WaitForOutstanding(1));  // the manual clock never moved
    CHECK(rig.publisher.sent().front().payload.find("\"count\":100") != std::string::npos);
    for (int i = 0; i < 4; ++i) {
      REQUIRE(rig.publisher.WaitForOutstanding(1));
      rig.publisher.CompleteNext(PublishResult::kOk);
    }
    CHECK(WaitUntil([&] { return rig.Stored() == 0; }));
  }
}

TEST_CASE("a backward step of the wall clock during a linger does not extend it") {
  testing::ForwarderRig rig(JsonBatches());
  rig.Append(JsonEvents(3, "telemetry", "{}", rig.clock.WallMillis()));
  rig.forwarder->Start();
  CHECK_FALSE(rig.publisher.WaitForOutstanding(1, 0s));  // lingering for a fuller batch
  rig.clock.StepWall(-1h);
  rig.clock.Advance(25ms);
  rig.forwarder->Wake();
  REQUIRE(rig.publisher.WaitForOutstanding(1));
  CHECK(rig.publisher.sent().front().payload.find("\"count\":3") != std::string::npos);
}

TEST_CASE("live events after a backward step linger as usual, then go") {
  testing::ForwarderRig rig(JsonBatches());
  rig.clock.StepWall(-1h);
  rig.Append(JsonEvents(2, "telemetry", "{}", rig.clock.WallMillis()));
  rig.forwarder->Start();
  CHECK_FALSE(rig.publisher.WaitForOutstanding(1, 0s));
  rig.clock.Advance(20ms);
  rig.forwarder->Wake();
  REQUIRE(rig.publisher.WaitForOutstanding(1));
}

TEST_CASE("a stream with events and a connected uplink that sends nothing is reported") {
  ForwarderOptions options;  // one event per publish, linger 20 ms: stalled after 2.02 s
  testing::ForwarderRig rig(options);
  rig.Append(JsonEvents(1));
  rig.forwarder->Start();
  REQUIRE(rig.publisher.WaitForOutstanding(1));  // and the cloud never acknowledges it
  // Time passes (a second per look, so no look of the forwarder is missed) until it reports.
  CHECK(WaitUntil([&] {
    rig.clock.Advance(1s);
    rig.forwarder->Wake();
    return rig.metrics.CounterTotal("edgeferry_uplink_stalls_total") == 1;
  }));
  CHECK(WaitUntil([&] { return StalledLanes(rig.metrics) == 1; }));
  rig.publisher.CompleteNext(PublishResult::kOk);  // it moves again
  CHECK(WaitUntil([&] { return StalledLanes(rig.metrics) == 0; }));
  CHECK(rig.metrics.CounterTotal("edgeferry_uplink_stalls_total") == 1);
}

}  // namespace
}  // namespace ef::uplink
