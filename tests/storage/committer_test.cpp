// The committer commits everything received before it stops, and keeps a group it could not
// commit instead of dropping it.
#include <doctest/doctest.h>

#include "core/log.h"
#include "storage/committer.h"
#include "tests/fakes/manual_clock.h"
#include "storage/mem_store.h"

namespace ef::storage {
namespace {

Event Numbered(int i) {
  Event e;
  e.stream = "telemetry";
  e.device_id = "dev";
  e.payload = std::to_string(i);
  return e;
}

TEST_CASE("clean shutdown commits every event that was queued") {
  BoundedQueue<Event> queue(100000);
  MemStore store;
  testing::ManualClock clock;
  Logger log(LogLevel::kError);
  Committer committer(queue, store, clock, log, CommitterOptions{}, nullptr);
  committer.Start();
  for (int i = 0; i < 5000; ++i) REQUIRE(queue.Push(Numbered(i)));
  queue.Close();
  committer.Stop();
  CHECK(committer.committed() == 5000);
  std::vector<Event> stored;
  REQUIRE(store.ReadAfter("telemetry", 0, 10000, &stored).ok());
  REQUIRE(stored.size() == 5000);
  for (int i = 0; i < 5000; ++i) CHECK(stored[static_cast<size_t>(i)].payload == std::to_string(i));
}

TEST_CASE("a failed commit is retried with the same events, in order") {
  BoundedQueue<Event> queue(100);
  MemStore store;
  store.FailNextInserts(3);
  testing::ManualClock clock;
  Logger log(LogLevel::kError);
  Committer committer(queue, store, clock, log, CommitterOptions{}, nullptr);
  committer.Start();
  for (int i = 0; i < 10; ++i) REQUIRE(queue.Push(Numbered(i)));
  queue.Close();
  committer.Stop();
  CHECK(committer.failed_commits() == 3);
  CHECK(committer.committed() == 10);
  std::vector<Event> stored;
  REQUIRE(store.ReadAfter("telemetry", 0, 100, &stored).ok());
  REQUIRE(stored.size() == 10);
  CHECK(stored.front().payload == "0");
  CHECK(stored.back().payload == "9");
}

}  // namespace
}  // namespace ef::storage
