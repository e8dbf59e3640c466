// Batching, lingering, rate limits and dead letters of the forwarder, on a manual clock.
#include <doctest/doctest.h>

#include "tests/fakes/forwarder_rig.h"
#include "tests/fakes/wait.h"

namespace ef::uplink {
namespace {

using testing::WaitUntil;
using namespace std::chrono_literals;

ForwarderOptions WithoutDevice(ForwarderOptions options) {
  options.topic_template = "edgeferry/{gateway}/{stream}";
  return options;
}

struct BatchRig : testing::ForwarderRig {
  explicit BatchRig(ForwarderOptions options) : ForwarderRig(WithoutDevice(std::move(options))) {}
  void Append(int n, size_t payload_bytes = 10, int64_t age_ms = 1000) {
    ForwarderRig::Append(testing::JsonEvents(n, "telemetry",
                                             "\"" + std::string(payload_bytes, 'x') + "\"",
                                             clock.WallMillis() - age_ms));
  }
};

ForwarderOptions Json(size_t max_events) {
  ForwarderOptions o;
  o.batch = BatchFormat::kJson;
  o.batch_max_events = max_events;
  return o;
}

TEST_CASE("a backlog goes out in full batches, each acked as a whole") {
  BatchRig rig(Json(4));
  rig.Append(10);
  rig.forwarder->Start();
  REQUIRE(rig.publisher.WaitForOutstanding(3));
  const auto sent = rig.publisher.sent();
  REQUIRE(sent.size() == 3);
  CHECK(sent[0].payload.find("\"first_seq\":1,\"last_seq\":4,\"count\":4") != std::string::npos);
  CHECK(sent[2].payload.find("\"first_seq\":9,\"last_seq\":10,\"count\":2") != std::string::npos);
  CHECK(sent[0].topic == "edgeferry/gw/telemetry");
  rig.publisher.CompleteNext(PublishResult::kOk);
  CHECK(WaitUntil([&] { return rig.Stored() == 6; }));
  rig.publisher.CompleteNext(PublishResult::kOk);
  rig.publisher.CompleteNext(PublishResult::kOk);
  CHECK(WaitUntil([&] { return rig.Stored() == 0; }));
  rig.forwarder->Stop();
  CHECK(rig.forwarder->counters().acked == 10);
  CHECK(rig.forwarder->counters().publishes == 3);
}

TEST_CASE("live events linger for a fuller batch, then go") {
  ForwarderOptions options = Json(100);
  options.batch_linger = 20ms;
  BatchRig rig(options);
  rig.Append(3, 10, 0);  // just ingested
  rig.forwarder->Start();
  CHECK_FALSE(rig.publisher.WaitForOutstanding(1, std::chrono::seconds(0)));
  rig.clock.Advance(25ms);
  rig.forwarder->Wake();
  REQUIRE(rig.publisher.WaitForOutstanding(1));
  CHECK(rig.publisher.sent().front().payload.find("\"count\":3") != std::string::npos);
}

TEST_CASE("the publish rate limit holds messages back until the clock allows") {
  ForwarderOptions options;  // one event per publish
  options.max_publishes_per_s = 10;  // a burst of 1, then one per 111 ms
  BatchRig rig(options);
  rig.Append(5);
  rig.forwarder->Start();
  REQUIRE(rig.publisher.WaitForOutstanding(1));
  rig.forwarder->Wake();
  CHECK_FALSE(rig.publisher.WaitForOutstanding(2, std::chrono::seconds(0)));
  rig.clock.Advance(120ms);
  rig.forwarder->Wake();
  CHECK(rig.publisher.WaitForOutstanding(2));
  CHECK(rig.publisher.sent().size() == 2);
}

TEST_CASE("an event larger than the message limit goes to the dead-letter table") {
  ForwarderOptions options = Json(10);
  options.max_message_bytes = 1024;
  BatchRig rig(options);
  rig.Append(1, 10);
  rig.Append(1, 5000);
  rig.Append(1, 10);
  rig.forwarder->Start();
  REQUIRE(rig.publisher.WaitForOutstanding(1));
  rig.publisher.CompleteNext(PublishResult::kOk);
  CHECK(WaitUntil([&] { return rig.Stored() == 0; }));
  CHECK(rig.store.Stats()->dead_letters == 1);
  CHECK(rig.publisher.sent().front().payload.find("\"count\":2") != std::string::npos);
}

TEST_CASE("a batch that keeps failing is dead-lettered after max_attempts, the rest flows") {
  ForwarderOptions options = Json(2);
  options.max_attempts = 2;
  options.max_inflight = 1;
  BatchRig rig(options);
  rig.Append(4);
  rig.forwarder->Start();
  for (int attempt = 0; attempt < 2; ++attempt) {
    REQUIRE(rig.publisher.WaitForOutstanding(1));
    rig.publisher.CompleteNext(PublishResult::kRetry);
  }
  REQUIRE(rig.publisher.WaitForOutstanding(1));
  CHECK(rig.publisher.sent().back().payload.find("\"first_seq\":3") != std::string::npos);
  rig.publisher.CompleteNext(PublishResult::kOk);
  CHECK(WaitUntil([&] { return rig.Stored() == 0; }));
  CHECK(rig.store.Stats()->dead_letters == 2);
}

TEST_CASE("publishes that never left during an outage do not count toward max_attempts") {
  ForwarderOptions options = Json(2);
  options.max_attempts = 2;
  options.max_inflight = 1;
  BatchRig rig(options);
  rig.Append(2);
  rig.forwarder->Start();
  REQUIRE(rig.publisher.WaitForOutstanding(1));
  rig.publisher.CompleteNext(PublishResult::kRetry);  // the connection died with it in flight
  for (int attempt = 0; attempt < 10; ++attempt) {     // then Paho refuses: not connected
    REQUIRE(rig.publisher.WaitForOutstanding(1));
    rig.publisher.CompleteNext(PublishResult::kNotSent);
  }
  REQUIRE(rig.publisher.WaitForOutstanding(1));
  CHECK(rig.publisher.sent().back().payload.find("\"first_seq\":1") != std::string::npos);
  rig.publisher.CompleteNext(PublishResult::kOk);
  CHECK(WaitUntil([&] { return rig.Stored() == 0; }));
  CHECK(rig.store.Stats()->dead_letters == 0);
}

}  // namespace
}  // namespace ef::uplink
