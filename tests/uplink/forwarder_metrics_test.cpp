// What the forwarder reports besides its counters: connection state and reconnects, bytes,
// batch sizes, the end-to-end latency histogram and its heartbeat for /healthz.
#include <doctest/doctest.h>

#include "tests/fakes/forwarder_rig.h"
#include "tests/fakes/wait.h"

namespace ef::uplink {
namespace {

using namespace std::chrono_literals;
using testing::WaitUntil;

struct Rig : testing::ForwarderRig {
  explicit Rig(Heartbeat* heartbeat) : ForwarderRig(Options(heartbeat)) {}
  static ForwarderOptions Options(Heartbeat* heartbeat) {
    ForwarderOptions options;
    options.heartbeat = heartbeat;
    return options;
  }
  double GaugeValue(const std::string& name) { return metrics.GetGauge(name, "").value(); }
  HistogramValue Histo(const std::string& name) {
    for (const MetricFamily& family : metrics.Snapshot()) {
      if (family.name == name) return std::get<HistogramValue>(family.series.at(0).value);
    }
    return {};
  }
};

TEST_CASE("acknowledged events feed the latency and batch histograms; bytes are counted") {
  Heartbeat beat;
  Rig rig(&beat);
  const int64_t two_s_ago = rig.clock.WallMillis() - 2000;
  rig.Append(testing::JsonEvents(3, "telemetry", "{}", two_s_ago));
  rig.forwarder->Start();
  REQUIRE(rig.publisher.WaitForOutstanding(3));
  for (int i = 0; i < 3; ++i) rig.publisher.CompleteNext(PublishResult::kOk);
  CHECK(WaitUntil([&] { return rig.Stored() == 0; }));
  rig.forwarder->Stop();
  const HistogramValue latency = rig.Histo("edgeferry_uplink_latency_seconds");
  CHECK(latency.count == 3);
  CHECK(latency.sum == doctest::Approx(6.0));
  const HistogramValue batches = rig.Histo("edgeferry_uplink_batch_events");
  CHECK(batches.count == 3);
  CHECK(batches.sum == doctest::Approx(3.0));
  uint64_t bytes = 0;
  for (const OutgoingMessage& m : rig.publisher.sent()) bytes += m.payload.size();
  CHECK(rig.metrics.CounterTotal("edgeferry_uplink_sent_bytes_total") == bytes);
}

TEST_CASE("the connected gauge follows the publisher; a reconnect is counted") {
  Heartbeat beat;
  Rig rig(&beat);
  rig.forwarder->Start();
  CHECK(WaitUntil([&] { return rig.GaugeValue("edgeferry_uplink_connected") == 1; }));
  rig.publisher.SetConnected(false);
  CHECK(WaitUntil([&] { return rig.GaugeValue("edgeferry_uplink_connected") == 0; }));
  rig.publisher.SetConnected(true);
  rig.forwarder->Wake();
  CHECK(WaitUntil([&] { return rig.GaugeValue("edgeferry_uplink_connected") == 1; }));
  CHECK(rig.metrics.CounterTotal("edgeferry_uplink_reconnects_total") == 1);
  rig.forwarder->Stop();
  CHECK(rig.GaugeValue("edgeferry_uplink_connected") == 0);
}

TEST_CASE("the heartbeat stops while publishes go unacknowledged, not while disconnected") {
  Heartbeat beat;
  Rig rig(&beat);
  rig.Append(testing::JsonEvents(2));
  rig.forwarder->Start();
  REQUIRE(rig.publisher.WaitForOutstanding(2));
  rig.clock.Advance(5s);
  rig.forwarder->Wake();
  CHECK(beat.Age(rig.clock.Now()) >= 5s);  // connected, waiting for acks: no beat
  rig.publisher.CompleteNext(PublishResult::kOk);
  CHECK(WaitUntil([&] { return beat.Age(rig.clock.Now()) == 0s; }));
  rig.clock.Advance(5s);
  rig.publisher.SetConnected(false);  // the cloud is away: waiting is not a stall
  rig.forwarder->Wake();
  CHECK(WaitUntil([&] { return beat.Age(rig.clock.Now()) == 0s; }));
  rig.publisher.SetConnected(true);
  rig.publisher.CompleteNext(PublishResult::kOk);
  rig.forwarder->Stop();
}

}  // namespace
}  // namespace ef::uplink
