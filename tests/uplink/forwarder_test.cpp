// The forwarder removes an event from the store only after the publisher reported the
// cloud's acknowledgement, keeps order, respects its window and resends after failures.
#include <doctest/doctest.h>

#include "core/log.h"
#include "tests/fakes/manual_clock.h"
#include "tests/fakes/mem_store.h"
#include "tests/fakes/recording_publisher.h"
#include "tests/fakes/wait.h"
#include "uplink/forwarder.h"

namespace ef::uplink {
namespace {

using testing::WaitUntil;

struct Rig {
  testing::MemStore store;
  testing::RecordingPublisher publisher;
  testing::ManualClock clock;
  Logger log{LogLevel::kError};
  std::unique_ptr<Forwarder> forwarder;

  explicit Rig(size_t window) {
    ForwarderOptions options;
    options.gateway_id = "gw";
    options.max_inflight = window;
    options.drain_timeout = std::chrono::milliseconds(0);
    forwarder = std::make_unique<Forwarder>(store, publisher, clock, log, options);
  }
  void Append(int n) {
    std::vector<Event> events;
    for (int i = 0; i < n; ++i) {
      Event e;
      e.stream = "telemetry";
      e.device_id = "dev-" + std::to_string(i % 2);
      e.format = PayloadFormat::kJson;
      e.payload = "{}";
      events.push_back(e);
    }
    REQUIRE(store.Append(events).ok());
    forwarder->Wake();
  }
  uint64_t Stored() { return store.Stats()->events; }
};

uint64_t SeqOf(const OutgoingMessage& m) {
  const size_t at = m.payload.find("\"seq\":") + 6;
  return std::stoull(m.payload.substr(at));
}

TEST_CASE("events are deleted only after the cloud acknowledged them") {
  Rig rig(10);
  rig.Append(5);
  rig.forwarder->Start();
  REQUIRE(rig.publisher.WaitForOutstanding(5));
  CHECK(rig.Stored() == 5);  // all published, none acknowledged: all kept
  rig.publisher.CompleteNext(PublishResult::kOk);
  rig.publisher.CompleteNext(PublishResult::kOk);
  CHECK(WaitUntil([&] { return rig.Stored() == 3; }));
  rig.forwarder->Stop();
  CHECK(rig.forwarder->counters().acked == 2);
  CHECK(rig.Stored() == 3);  // unacknowledged at stop: still queued for the next run
}

TEST_CASE("publishes go out in sequence order, at most the window at a time") {
  Rig rig(3);
  rig.Append(7);
  rig.forwarder->Start();
  REQUIRE(rig.publisher.WaitForOutstanding(3));
  CHECK(rig.publisher.sent().size() == 3);
  for (int i = 0; i < 7; ++i) {
    REQUIRE(rig.publisher.WaitForOutstanding(1));
    rig.publisher.CompleteNext(PublishResult::kOk);
  }
  CHECK(WaitUntil([&] { return rig.Stored() == 0; }));
  const auto sent = rig.publisher.sent();
  REQUIRE(sent.size() == 7);
  for (size_t i = 0; i < sent.size(); ++i) CHECK(SeqOf(sent[i]) == i + 1);
  CHECK(sent[0].topic == "edgeferry/gw/telemetry/dev-0");
}

TEST_CASE("after a failed publish, everything unacknowledged is resent from the oldest") {
  Rig rig(4);
  rig.Append(4);
  rig.forwarder->Start();
  REQUIRE(rig.publisher.WaitForOutstanding(4));
  rig.publisher.CompleteNext(PublishResult::kOk);     // seq 1
  rig.publisher.CompleteNext(PublishResult::kRetry);  // seq 2: connection lost
  rig.publisher.CompleteNext(PublishResult::kRetry);  // seq 3
  rig.publisher.CompleteNext(PublishResult::kOk);     // seq 4 made it anyway
  REQUIRE(rig.publisher.WaitForOutstanding(2));       // 2 and 3 again
  rig.publisher.CompleteNext(PublishResult::kOk);
  rig.publisher.CompleteNext(PublishResult::kOk);
  CHECK(WaitUntil([&] { return rig.Stored() == 0; }));
  const auto sent = rig.publisher.sent();
  REQUIRE(sent.size() == 6);
  CHECK(SeqOf(sent[4]) == 2);
  CHECK(SeqOf(sent[5]) == 3);
  rig.forwarder->Stop();
  CHECK(rig.forwarder->counters().resent == 2);
  CHECK(rig.forwarder->counters().acked == 4);
}

TEST_CASE("nothing is published while disconnected, and all of it once connected") {
  Rig rig(10);
  rig.publisher.SetConnected(false);
  rig.Append(3);
  rig.forwarder->Start();
  rig.publisher.SetConnected(true);
  REQUIRE(rig.publisher.WaitForOutstanding(3));
  for (int i = 0; i < 3; ++i) rig.publisher.CompleteNext(PublishResult::kOk);
  CHECK(WaitUntil([&] { return rig.Stored() == 0; }));
}

TEST_CASE("a permanently refused event is counted as dropped and removed") {
  Rig rig(10);
  rig.Append(2);
  rig.forwarder->Start();
  REQUIRE(rig.publisher.WaitForOutstanding(2));
  rig.publisher.CompleteNext(PublishResult::kDrop);
  rig.publisher.CompleteNext(PublishResult::kOk);
  CHECK(WaitUntil([&] { return rig.Stored() == 0; }));
  rig.forwarder->Stop();
  CHECK(rig.forwarder->counters().dropped == 1);
  CHECK(rig.forwarder->counters().acked == 1);
}

}  // namespace
}  // namespace ef::uplink
