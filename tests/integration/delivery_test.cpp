// With nothing failing, every message reaches the cloud exactly once, in order per device,
// wrapped in the envelope the contract describes.
#include <doctest/doctest.h>

#include "tests/integration/ferry_rig.h"
#include "tests/support/cloud_collector.h"

namespace ef::testkit {
namespace {

using std::chrono::seconds;

TEST_CASE("10000 messages from 20 devices arrive once and in order") {
  const TelemetryWorkload workload{.devices = 20, .total = 10'000};
  FerryRig rig;
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  CloudCollector collector(rig.CloudCollectorOptions());
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));

  TestPublisher publisher(rig.EdgePublisherOptions());
  REQUIRE_MESSAGE(publisher.Connect(DeadlineIn(seconds(15))), publisher.error());
  std::string error;
  REQUIRE_MESSAGE(PublishTelemetry(publisher, workload, DeadlineIn(seconds(60)), &error), error);
  REQUIRE(collector.WaitForCount(10'000, DeadlineIn(seconds(60))));
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);

  CollectorStats stats = collector.Stats();
  CHECK(stats.received == 10'000);
  CHECK(stats.duplicate_seq == 0);
  CHECK(stats.reingested == 0);
  CHECK(stats.out_of_order == 0);
  CHECK(stats.seq_reused == 0);
  CHECK(stats.unparsed == 0);
  std::vector<std::string> missing = collector.MissingCounters(workload.DeviceIds(), 500);
  CHECK_MESSAGE(missing.empty(), DescribeMissing(missing));

  size_t wrong_topic = 0, wrong_fields = 0, wrong_payload = 0;
  for (const Arrival& arrival : collector.Arrivals()) {
    const Envelope& env = *arrival.envelope;
    if (arrival.topic != "edgeferry/gw-test/telemetry/" + env.device) ++wrong_topic;
    if (env.gateway != kGatewayId || env.stream != "telemetry" ||
        env.topic != TelemetryWorkload::Topic(env.device) || !env.time_ms) {
      ++wrong_fields;
    }
    if (!arrival.counter ||
        env.payload != TelemetryWorkload::Payload(env.device, *arrival.counter)) {
      ++wrong_payload;
    }
  }
  CHECK(wrong_topic == 0);
  CHECK(wrong_fields == 0);
  CHECK(wrong_payload == 0);
}

}  // namespace
}  // namespace ef::testkit
