// Issue 16, the store's part: a step of the wall clock neither expires fresh events nor keeps
// stale ones (TTL ages are measured on the monotonic clock), the rule across a restart holds
// (README, "TTL and the clock"), and no sequence number comes back after any number of
// damaged-queue recoveries, whatever the wall clock says.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "tests/fakes/manual_clock.h"
#include "tests/storage/store_fixture.h"

namespace ef::storage {
namespace {

using namespace std::chrono_literals;
using testing::ManualClock;

constexpr int64_t kTtlMs = 3'600'000;

StorePolicy WithTtl() {
  StorePolicy policy = OneStream(Overflow::kDropOldest, 0);
  policy.streams[0].ttl_ms = kTtlMs;
  return policy;
}

std::vector<Event> Stamped(const ManualClock& clock, int n, bool unsynced = false) {
  std::vector<Event> events(static_cast<size_t>(n));
  for (Event& e : events) {
    e.stream = "telemetry";
    e.device_id = "dev";
    e.ingest_time_ms = e.event_time_ms = clock.WallMillis();
    e.clock_unsynced = unsynced;
    e.payload = "x";
  }
  return events;
}

uint64_t Sweep(Store& store, const ManualClock& clock, bool synced = true) {
  Result<uint64_t> expired = store.Expire(SweepTime{clock.Now(), clock.WallMillis(), synced});
  REQUIRE(expired.ok());
  return *expired;
}

uint64_t Waiting(Store& store) { return store.Stats()->events; }

// A run before the restart: queues `trusted` events stamped on a synchronised clock, then
// `untrusted` ones stamped before NTP had set it, and stops.
void EarlierRun(SqliteFixture& fixture, const ManualClock& clock, int trusted, int untrusted = 0) {
  auto store = fixture.Open(WithTtl());
  Sweep(*store, clock);
  auto events = Stamped(clock, trusted);
  auto more = Stamped(clock, untrusted, true);
  events.insert(events.end(), more.begin(), more.end());
  REQUIRE(store->Append(events).ok());
}

TEST_CASE_TEMPLATE("a forward step of the wall clock expires nothing younger than its TTL",
                   Fixture, SqliteFixture, MemFixture) {
  Fixture fixture;
  ManualClock clock;
  auto store = fixture.Open(WithTtl());
  Sweep(*store, clock);  // the start
  auto events = Stamped(clock, 10);
  REQUIRE(store->Append(events).ok());
  clock.Advance(1s);
  CHECK(Sweep(*store, clock) == 0);
  clock.Advance(3s);
  clock.StepWall(7 * 24h);  // NTP sets a stale clock
  CHECK(Sweep(*store, clock) == 0);
  clock.Advance(3600s - 5s);
  CHECK(Sweep(*store, clock) == 0);
  CHECK(Waiting(*store) == 10);
  clock.Advance(2s);  // an hour after the commit, by the monotonic clock
  CHECK(Sweep(*store, clock) == 10);
  CHECK(Waiting(*store) == 0);
}

TEST_CASE_TEMPLATE("a backward step of the wall clock keeps nothing past its TTL", Fixture,
                   SqliteFixture, MemFixture) {
  Fixture fixture;
  ManualClock clock;
  auto store = fixture.Open(WithTtl());
  Sweep(*store, clock);
  auto events = Stamped(clock, 10);
  REQUIRE(store->Append(events).ok());
  clock.Advance(1s);
  Sweep(*store, clock);
  clock.StepWall(-24h);
  clock.Advance(3601s);
  CHECK(Sweep(*store, clock) == 10);
}

TEST_CASE("after a restart on a clock 7 days behind, queued events are not older than 0") {
  SqliteFixture fixture;
  ManualClock clock;
  EarlierRun(fixture, clock, 5);
  clock.StepWall(-7 * 24h);  // the board reboots with a stale clock
  auto store = fixture.Open(WithTtl());
  CHECK(Sweep(*store, clock) == 0);
  clock.StepWall(7 * 24h);  // NTP steps it to the present
  clock.Advance(3599s);
  CHECK(Sweep(*store, clock) == 0);
  clock.Advance(2s);  // an hour of running: they count from the start
  CHECK(Sweep(*store, clock) == 5);
}

TEST_CASE("after a restart on a synchronised clock, the time the gateway was down counts") {
  SqliteFixture fixture;
  ManualClock clock;
  EarlierRun(fixture, clock, 3, 2);
  clock.StepWall(30min);  // down for half an hour
  auto store = fixture.Open(WithTtl());
  CHECK(Sweep(*store, clock, /*synced=*/true) == 0);
  clock.Advance(30min + 1s);
  CHECK(Sweep(*store, clock) == 3);  // half an hour down + half an hour up
  CHECK(Waiting(*store) == 2);       // untrusted stamps: aged from the start only
  clock.Advance(30min);
  CHECK(Sweep(*store, clock) == 2);
}

TEST_CASE("after a restart on an unsynchronised clock, queued events age from the start") {
  SqliteFixture fixture;
  ManualClock clock;
  EarlierRun(fixture, clock, 4);
  clock.StepWall(2 * 24h);  // a clock running ahead: it cannot be trusted
  auto store = fixture.Open(WithTtl());
  CHECK(Sweep(*store, clock, /*synced=*/false) == 0);
  clock.Advance(3601s);
  CHECK(Sweep(*store, clock) == 4);
}

// Writes garbage over queue.db (and drops its WAL), as a power cut on a weak SD card might.
void Damage(const SqliteFixture& fixture) {
  for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(fixture.path() + suffix);
  std::ofstream(fixture.path(), std::ios::trunc) << std::string(8192, 'g');
}

Result<std::unique_ptr<SqliteStore>> OpenWithStaleClock(const SqliteFixture& fixture,
                                                        int recovery, std::string* quarantined) {
  SqliteStoreOptions options;
  options.path = fixture.path();
  options.now_utc = "T" + std::to_string(recovery);
  options.seq_floor = 1000;  // the wall clock in microseconds... of a clock stuck in 1970
  return SqliteStore::Open(options, StorePolicy{}, quarantined);
}

uint64_t AppendOne(Store& store) {
  std::vector<Event> event(1);
  event[0].stream = "telemetry";
  event[0].payload = "x";
  REQUIRE(store.Append(event).ok());
  return event[0].seq;
}

TEST_CASE("no seq comes back after repeated recoveries on a stale clock, or a deleted file") {
  SqliteFixture fixture;
  uint64_t highest = 0;
  {
    auto store = fixture.OpenSqlite();
    for (int i = 0; i < 5; ++i) highest = AppendOne(*store);
  }
  CHECK(highest == 5);
  for (int recovery = 0; recovery < 3; ++recovery) {
    Damage(fixture);
    std::string quarantined;
    auto store = OpenWithStaleClock(fixture, recovery, &quarantined);
    REQUIRE(store.ok());
    CHECK_FALSE(quarantined.empty());
    const uint64_t seq = AppendOne(**store);
    CHECK(seq > highest);
    highest = seq;
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(fixture.path() + suffix);
  auto store = fixture.OpenSqlite();
  CHECK(AppendOne(*store) > highest);
}

TEST_CASE("the unsynced mark is stored with its event") {
  SqliteFixture fixture;
  ManualClock clock;
  auto events = Stamped(clock, 2);
  events[1].clock_unsynced = true;
  events[1].quality = Quality::kUncertain;
  {
    auto store = fixture.Open();
    REQUIRE(store->Append(events).ok());
  }
  auto store = fixture.Open();
  std::vector<Event> read;
  REQUIRE(store->ReadAfter("telemetry", 0, 10, &read).ok());
  REQUIRE(read.size() == 2);
  CHECK_FALSE(read[0].clock_unsynced);
  CHECK(read[0].quality == Quality::kGood);
  CHECK(read[1].clock_unsynced);
  CHECK(read[1].quality == Quality::kUncertain);
}

}  // namespace
}  // namespace ef::storage
