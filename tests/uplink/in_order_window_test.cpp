// The in_order window (ForwarderOptions::in_order_inflight = 1, what the JetStream uplink
// uses): an in_order stream has one message awaiting its ack at a time, so a failed message is
// resent before any later one leaves, while a live_first stream keeps the whole window.
#include <doctest/doctest.h>

#include "tests/fakes/forwarder_rig.h"
#include "tests/fakes/wait.h"

namespace ef::uplink {
namespace {

using testing::WaitUntil;

ForwarderOptions InOrderWindow() {
  ForwarderOptions o;
  o.topic_template = "edgeferry.{gateway}.{stream}";
  o.message_ids = true;
  o.max_inflight = 10;
  o.in_order_inflight = 1;
  StreamSchedule alerts;
  alerts.name = "alerts";
  alerts.priority = 100;
  alerts.live_first = false;  // catch_up = "in_order"
  o.streams = {alerts};
  return o;
}

// The ids the publisher was given for `stream`, in the order it was given them.
std::vector<std::string> IdsOf(const testing::RecordingPublisher& publisher,
                               const std::string& stream) {
  std::vector<std::string> ids;
  for (const OutgoingMessage& m : publisher.sent()) {
    if (m.topic.ends_with("." + stream)) ids.push_back(m.msg_id);
  }
  return ids;
}

// Acknowledges every publish until the store is empty.
void AckAll(testing::ForwarderRig& rig) {
  CHECK(WaitUntil([&] {
    if (rig.publisher.outstanding() > 0) rig.publisher.CompleteNext(PublishResult::kOk);
    return rig.Stored() == 0;
  }));
}

TEST_CASE("in_order window of one: a failed message is resent before any later one is sent") {
  testing::ForwarderRig rig(InOrderWindow());
  rig.Append(testing::JsonEvents(3, "alerts"));
  rig.forwarder->Start();
  REQUIRE(rig.publisher.WaitForOutstanding(1));
  rig.publisher.CompleteNext(PublishResult::kNotSent);  // "no responders": an election
  REQUIRE(WaitUntil([&] { return rig.publisher.sent().size() == 2; }));
  rig.publisher.CompleteNext(PublishResult::kRetry);  // an ack lost with the connection
  AckAll(rig);
  // With the whole window: gw-1, gw-2, gw-3 sent, then gw-1 again, stored after gw-2.
  CHECK(IdsOf(rig.publisher, "alerts") ==
        std::vector<std::string>{"gw-1", "gw-1", "gw-1", "gw-2", "gw-3"});
}

TEST_CASE("in_order window of one: a live_first stream keeps the whole window") {
  testing::ForwarderRig rig(InOrderWindow());
  rig.Append(testing::JsonEvents(3, "alerts"));
  rig.Append(testing::JsonEvents(5, "telemetry"));
  rig.forwarder->Start();
  // One alert and every telemetry event at once.
  REQUIRE(rig.publisher.WaitForOutstanding(6));
  CHECK(IdsOf(rig.publisher, "alerts") == std::vector<std::string>{"gw-1"});
  CHECK(IdsOf(rig.publisher, "telemetry").size() == 5);
  AckAll(rig);
  CHECK(IdsOf(rig.publisher, "alerts") == std::vector<std::string>{"gw-1", "gw-2", "gw-3"});
}

}  // namespace
}  // namespace ef::uplink
