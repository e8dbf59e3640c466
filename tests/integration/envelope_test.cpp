// The cloud message for one event: key order, field values, the original JSON payload
// verbatim, and payloads that are not JSON carried as base64.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/integration/ferry_rig.h"
#include "tests/support/base64.h"
#include "tests/support/cloud_collector.h"

namespace ef::testkit {
namespace {

using std::chrono::seconds;

struct Sent {
  std::string device;
  std::string payload;
  bool json;
};

std::vector<Sent> Messages() {
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes += static_cast<char>(b);
  return {
      {"dev-07", R"({ "device": "dev-07", "n": 0, "temp": 21.5, "tags": ["a", "b"] })", true},
      {"dev-08", std::string("\x01\x02hello", 7), false},
      {"dev-09", R"({"truncated":)", false},
      {"dev-10", all_bytes, false},
  };
}

const std::vector<std::string> kJsonKeys = {"gateway", "stream", "device", "seq",
                                            "time",    "topic",  "payload"};
const std::vector<std::string> kBinaryKeys = {"gateway", "stream", "device",     "seq",
                                              "time",    "topic",  "payload_b64"};

TEST_CASE("envelope fields, key order, verbatim JSON and base64 payloads") {
  FerryRig rig;
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  CloudCollector collector(rig.CloudCollectorOptions());
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));

  const std::vector<Sent> sent = Messages();
  TestPublisher publisher(rig.EdgePublisherOptions());
  REQUIRE_MESSAGE(publisher.Connect(DeadlineIn(seconds(15))), publisher.error());
  int64_t first_ms = WallMillis();
  for (const Sent& s : sent) {
    REQUIRE(
        publisher.Publish(TelemetryWorkload::Topic(s.device), s.payload, DeadlineIn(seconds(10))));
  }
  REQUIRE(publisher.WaitAllAcked(DeadlineIn(seconds(10))));
  REQUIRE(collector.WaitForCount(sent.size(), DeadlineIn(seconds(30))));
  int64_t last_ms = WallMillis();

  std::vector<Arrival> arrivals = collector.Arrivals();
  REQUIRE(arrivals.size() == sent.size());
  // Published in this order on one connection, so committed (and numbered) in this order.
  std::optional<int64_t> previous_seq;
  for (size_t i = 0; i < sent.size(); ++i) {
    CAPTURE(i);
    const Arrival& arrival = arrivals[i];
    CAPTURE(arrival.message);
    REQUIRE(arrival.envelope);
    const Envelope& env = *arrival.envelope;
    CHECK(arrival.topic == "edgeferry/gw-test/telemetry/" + sent[i].device);
    CHECK(env.keys == (sent[i].json ? kJsonKeys : kBinaryKeys));
    CHECK(env.gateway == kGatewayId);
    CHECK(env.stream == "telemetry");
    CHECK(env.device == sent[i].device);
    CHECK(env.topic == TelemetryWorkload::Topic(sent[i].device));
    REQUIRE(env.seq);
    if (previous_seq) CHECK(*env.seq > *previous_seq);
    previous_seq = env.seq;
    REQUIRE(env.time_ms);
    CHECK(*env.time_ms >= first_ms - 1'000);  // ingest wall time, with slack for clock reads
    CHECK(*env.time_ms <= last_ms + 1'000);
    if (sent[i].json) {
      CHECK(env.payload == sent[i].payload);
    } else {
      CHECK(env.payload_b64 == Base64Encode(sent[i].payload));
    }
  }
  CHECK(arrivals[1].envelope->payload_b64 == "AQJoZWxsbw==");  // "\x01\x02hello", by hand
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
}

}  // namespace
}  // namespace ef::testkit
