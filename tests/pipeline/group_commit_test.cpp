// GroupCommit against a store on a disk too small for a whole group: a group of events only is
// committed in halves, in order, each event once; a group with stage state stays whole.
// (Regression: the 1 MiB tmpfs bounds test under load, where groups of 1000 events never fit
// the WAL's room and ingest stalled for good.)
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "core/log.h"
#include "pipeline/group_commit.h"
#include "tests/fakes/forwarding_store.h"
#include "tests/fakes/manual_clock.h"

namespace ef::pipeline {
namespace {

using namespace std::chrono_literals;

// A MemStore that refuses, as a full disk would (an I/O error), every group of more than
// `max_events` events; it counts the groups it refused and the ones it took.
class SmallDiskStore final : public testing::ForwardingStore {
 public:
  explicit SmallDiskStore(size_t max_events) : max_events_(max_events) {}
  Status Append(std::span<Event> events, std::span<const StateEntry> state) override {
    if (events.size() > max_events_) {
      ++refused;
      for (Event& e : events) e.seq = 0;
      return Status::IoError("[full] commit: database or disk is full");
    }
    ++taken;
    return inner.Append(events, state);
  }

  std::atomic<int> refused{0};
  std::atomic<int> taken{0};

 private:
  size_t max_events_;
};

std::vector<Event> Numbered(int n) {
  std::vector<Event> events(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    events[static_cast<size_t>(i)].stream = "telemetry";
    events[static_cast<size_t>(i)].device_id = "dev";
    events[static_cast<size_t>(i)].payload = std::to_string(i);
  }
  return events;
}

struct Rig {
  testing::ManualClock clock;
  Logger log{LogLevel::kError};
  MetricsRegistry metrics;
  GroupCommit commit;
  explicit Rig(Store& store) : commit(store, clock, log, metrics, 100ms) {}

  // Commit(), shut down (Abandon, and the manual clock moved on until the retries give up)
  // once the store refused `refusals` groups, so that a group that can never be committed
  // ends the test instead of hanging it.
  bool CommitOrGiveUp(SmallDiskStore& store, std::vector<Event>& events,
                      const std::vector<StateEntry>& state, int refusals) {
    std::atomic<bool> returned{false};
    std::thread stopper([&] {
      while (!returned && store.refused < refusals) std::this_thread::yield();
      if (returned) return;
      commit.Abandon();
      while (!returned) {
        clock.Advance(1s);
        std::this_thread::yield();
      }
    });
    const bool committed = commit.Commit(events, state);
    returned = true;
    stopper.join();
    return committed;
  }
};

TEST_CASE("a group too large for the disk is committed in halves, in order, each event once") {
  SmallDiskStore store(300);
  Rig rig(store);
  std::vector<Event> events = Numbered(1000);
  REQUIRE(rig.CommitOrGiveUp(store, events, {}, 10));
  // 1000 refused, 500 refused, then 250-event parts: 4 of them.
  CHECK(store.refused == 2);
  CHECK(store.taken == 4);
  std::vector<Event> stored;
  REQUIRE(store.inner.ReadAfter("telemetry", 0, 10000, &stored).ok());
  REQUIRE(stored.size() == 1000);
  for (size_t i = 0; i < stored.size(); ++i) {
    CHECK(stored[i].payload == std::to_string(i));
    CHECK(stored[i].seq == i + 1);
    CHECK(events[i].seq == i + 1);  // the caller sees every seq
  }
}

TEST_CASE("a group with stage state is never split") {
  SmallDiskStore store(300);
  Rig rig(store);
  std::vector<Event> events = Numbered(400);
  CHECK_FALSE(rig.CommitOrGiveUp(store, events, {StateEntry{"counter/total", "400", false}}, 3));
  CHECK(store.taken == 0);
  CHECK(rig.metrics.CounterTotal("edgeferry_events_abandoned_total") == 400);
}

}  // namespace
}  // namespace ef::pipeline
