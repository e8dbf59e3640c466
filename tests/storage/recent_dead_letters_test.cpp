// SqliteStore::RecentDeadLetters, the status page's list: the latest dead letters, newest
// first, read under the store's lock while the pipeline and the uplink write.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "tests/storage/store_fixture.h"

namespace ef::storage {
namespace {

std::vector<Event> Events(int n, const std::string& device) {
  std::vector<Event> events(static_cast<size_t>(n));
  for (Event& e : events) {
    e.stream = "telemetry";
    e.device_id = device;
    e.payload = "{}";
  }
  return events;
}

TEST_CASE("the latest dead letters, newest first, with reason, stream and time") {
  SqliteFixture fixture;
  auto store = fixture.OpenSqlite();
  for (int i = 0; i < 3; ++i) {
    auto events = Events(1, "dev-" + std::to_string(i));
    REQUIRE(store->Append(events).ok());
    const uint64_t seq[] = {events[0].seq};
    REQUIRE(store->DeadLetter("telemetry", seq, "reason " + std::to_string(i), 1000 + i).ok());
  }
  auto recent = store->RecentDeadLetters(2);
  REQUIRE(recent.ok());
  REQUIRE(recent->size() == 2);
  CHECK(recent->at(0).event.device_id == "dev-2");
  CHECK(recent->at(0).reason == "reason 2");
  CHECK(recent->at(0).dead_time_ms == 1002);
  CHECK(recent->at(0).event.stream == "telemetry");
  CHECK(recent->at(1).event.device_id == "dev-1");
}

TEST_CASE("dead letters are listed while another thread commits and dead-letters") {
  SqliteFixture fixture;
  auto store = fixture.OpenSqlite();
  std::atomic<bool> done{false};
  std::atomic<int> write_failures{0};  // doctest's assertions are for the test's own thread
  std::thread writer([&] {
    for (int i = 0; i < 200; ++i) {
      auto events = Events(5, "dev");
      if (!store->Append(events).ok()) ++write_failures;
      const uint64_t seq[] = {events[0].seq};
      if (!store->DeadLetter("telemetry", seq, "refused", i).ok()) ++write_failures;
    }
    done = true;
  });
  size_t reads = 0, failures = 0;
  while (!done) {
    auto recent = store->RecentDeadLetters(20);
    ++reads;
    if (!recent.ok() || recent->size() > 20) ++failures;
  }
  writer.join();
  CHECK(write_failures == 0);
  CHECK(reads > 0);
  CHECK(failures == 0);
  CHECK(store->RecentDeadLetters(20)->size() == 20);
  CHECK(store->Stats()->events == 200 * 4);
}

}  // namespace
}  // namespace ef::storage
