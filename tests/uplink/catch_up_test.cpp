// Catch-up after an outage: new events go before a stream's backlog (live_first), the
// backlog still drains in order, and a second outage during the catch-up loses nothing.
#include <doctest/doctest.h>

#include <set>

#include "tests/fakes/forwarder_rig.h"
#include "tests/fakes/wait.h"

namespace ef::uplink {
namespace {

using testing::WaitUntil;

constexpr size_t kWindow = 4;
constexpr int kBacklog = 30;  // above batch_max_events: worth a catch-up lane

ForwarderOptions CatchUp(bool live_first) {
  ForwarderOptions options;
  options.max_inflight = kWindow;
  options.batch_max_events = 10;
  options.streams.push_back({"telemetry", 10, 0.1, live_first});
  return options;
}

struct CatchUpRig : testing::ForwarderRig {
  explicit CatchUpRig(bool live_first) : ForwarderRig(CatchUp(live_first)) {}
  void Append(int n) { ForwarderRig::Append(testing::JsonEvents(n)); }
  // Connects after an outage that left `kBacklog` events waiting; the window fills.
  void ConnectWithBacklog() {
    publisher.SetConnected(false);
    Append(kBacklog);
    forwarder->Start();
    publisher.SetConnected(true);
    REQUIRE(publisher.WaitForOutstanding(kWindow));
  }
  uint64_t SentSeq(size_t i) const {
    const std::string payload = publisher.sent().at(i).payload;
    return std::stoull(payload.substr(payload.find("\"seq\":") + 6));
  }
  // Acks every publish until the store is empty.
  void DrainAll() {
    while (WaitUntil([&] { return publisher.outstanding() > 0 || Stored() == 0; }) &&
           Stored() > 0) {
      if (publisher.outstanding() > 0) publisher.CompleteNext(PublishResult::kOk);
    }
    REQUIRE(Stored() == 0);
  }
};

TEST_CASE("live_first: events that arrive during the catch-up go before the backlog") {
  CatchUpRig rig(true);
  rig.ConnectWithBacklog();
  for (size_t i = 0; i < kWindow; ++i) CHECK(rig.SentSeq(i) == i + 1);  // backlog: nothing else
  rig.Append(3);  // live: seqs 31..33
  for (size_t i = 0; i < 3; ++i) {
    rig.publisher.CompleteNext(PublishResult::kOk);
    REQUIRE(rig.publisher.WaitForOutstanding(kWindow));
    CHECK(rig.SentSeq(kWindow + i) == kBacklog + 1 + i);
  }
  rig.DrainAll();
  std::vector<uint64_t> backlog;
  for (size_t i = kWindow + 3; i < rig.publisher.sent().size(); ++i) {
    backlog.push_back(rig.SentSeq(i));
  }
  REQUIRE(!backlog.empty());
  CHECK(backlog.front() == kWindow + 1);  // the backlog resumes where it was, in order
  CHECK(std::is_sorted(backlog.begin(), backlog.end()));
  CHECK(backlog.back() == kBacklog);
  rig.forwarder->Stop();
  CHECK(rig.forwarder->counters().acked == kBacklog + 3);
}

TEST_CASE("in_order: the backlog goes first, then what arrived during the catch-up") {
  CatchUpRig rig(false);
  rig.ConnectWithBacklog();
  rig.Append(3);
  rig.publisher.CompleteNext(PublishResult::kOk);
  REQUIRE(rig.publisher.WaitForOutstanding(kWindow));
  CHECK(rig.SentSeq(kWindow) == kWindow + 1);
  rig.DrainAll();
  for (size_t i = 0; i < rig.publisher.sent().size(); ++i) CHECK(rig.SentSeq(i) == i + 1);
}

TEST_CASE("a second outage during the catch-up: every event is still delivered") {
  CatchUpRig rig(true);
  rig.ConnectWithBacklog();
  rig.Append(3);  // live: 31..33
  rig.publisher.CompleteNext(PublishResult::kOk);  // seq 1 acked; 31 goes out
  REQUIRE(rig.publisher.WaitForOutstanding(kWindow));
  rig.publisher.SetConnected(false);  // the connection drops with 2..4 and 31 in flight
  for (size_t i = 0; i < kWindow; ++i) rig.publisher.CompleteNext(PublishResult::kRetry);
  rig.Append(kBacklog);  // 34..63 wait during the second outage
  rig.publisher.SetConnected(true);
  rig.DrainAll();
  std::set<uint64_t> sent;
  for (size_t i = 0; i < rig.publisher.sent().size(); ++i) sent.insert(rig.SentSeq(i));
  CHECK(sent.size() == 2 * kBacklog + 3);
  CHECK(*sent.rbegin() == 2 * kBacklog + 3);
  rig.forwarder->Stop();
  CHECK(rig.forwarder->counters().acked == 2 * kBacklog + 3);
  CHECK(rig.forwarder->counters().dead_lettered == 0);
}

}  // namespace
}  // namespace ef::uplink
