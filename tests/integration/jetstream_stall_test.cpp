// A JetStream uplink that gets "no responders" for a long time (the stream does not take the
// subject, or its servers are down) says so in the log, once a minute, instead of retrying
// silently; and one stopped before it ever published stops cleanly. Against a real
// nats-server cluster, on a manual clock.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>

#include "tests/fakes/captured_log.h"
#include "tests/fakes/manual_clock.h"
#include "tests/support/nats_cluster.h"
#include "uplink/jetstream/jetstream_publisher.h"

namespace ef::testkit {
namespace {

using std::chrono::seconds;

// Publishes one message and waits for its outcome.
PublishResult PublishOne(uplink::JetStreamPublisher& publisher, const std::string& id) {
  std::atomic<int> result{-1};
  publisher.Publish({.topic = "edgeferry.gw.telemetry", .payload = "{}", .msg_id = id},
                    [&](PublishResult r) { result = static_cast<int>(r); });
  REQUIRE(WaitUntil(DeadlineIn(seconds(15)), [&] { return result.load() >= 0; }));
  return static_cast<PublishResult>(result.load());
}

// A created stream "EF" on `cluster` that takes only other.> (not edgeferry.gw.telemetry).
uplink::JetStreamSettings OtherSubjectsStream(const NatsCluster& cluster) {
  uplink::JetStreamSettings settings;
  settings.js.servers = {cluster.client_url(0)};
  settings.js.stream = "EF";
  settings.js.create_stream = true;
  settings.js.subjects = {"other.>"};
  settings.gateway_id = "gw";
  return settings;
}

TEST_CASE("jetstream: a long run of 'no responders' is a warning, once a minute") {
  NatsCluster cluster;  // three nodes, as the stream's servers are in the field
  REQUIRE_MESSAGE(cluster.Start(DeadlineIn(seconds(20))), cluster.Log(0));
  testing::ManualClock clock;
  testing::CapturedLog log;
  uplink::JetStreamPublisher publisher(OtherSubjectsStream(cluster), clock, log.log());
  REQUIRE(publisher.Start().ok());
  REQUIRE_MESSAGE(WaitUntil(DeadlineIn(seconds(60)), [&] { return publisher.Connected(); }),
                  log.Text());

  constexpr char kWarning[] = "JetStream has acknowledged nothing for";
  INFO("publisher log:\n" << log.Text());
  CHECK(PublishOne(publisher, "gw-1") == PublishResult::kNotSent);  // no responders
  CHECK(log.Count(kWarning) == 0);  // a short pause (an election) is not worth a warning
  clock.Advance(seconds(31));
  CHECK(PublishOne(publisher, "gw-1") == PublishResult::kNotSent);
  CHECK(log.Count(kWarning) == 1);
  CHECK(log.Count("acknowledged nothing for 31 s (No responders") == 1);
  clock.Advance(seconds(31));  // within the minute: not said again
  CHECK(PublishOne(publisher, "gw-1") == PublishResult::kNotSent);
  CHECK(log.Count(kWarning) == 1);
  clock.Advance(seconds(31));
  CHECK(PublishOne(publisher, "gw-1") == PublishResult::kNotSent);
  CHECK(log.Count(kWarning) == 2);
  publisher.Stop();
}

// libnats 3.4.1 crashed when asked for the pending acks of a context that never published.
TEST_CASE("jetstream: a publisher stopped before its first publish stops cleanly") {
  NatsCluster cluster;
  REQUIRE_MESSAGE(cluster.Start(DeadlineIn(seconds(20))), cluster.Log(0));
  testing::ManualClock clock;
  testing::CapturedLog log;
  uplink::JetStreamPublisher publisher(OtherSubjectsStream(cluster), clock, log.log());
  REQUIRE(publisher.Start().ok());
  REQUIRE_MESSAGE(WaitUntil(DeadlineIn(seconds(60)), [&] { return publisher.Connected(); }),
                  log.Text());
  publisher.Stop();
  CHECK_FALSE(publisher.Connected());
}

}  // namespace
}  // namespace ef::testkit
