// Write-behind (QueueStore::PersistAfter, [queue] persist_after_ms) on the SQLite store: what
// reaches the file and when, seen by a second, read-only store as `edgeferry queue stats` sees
// it. The Store behaviour in this mode is covered by the store suites (store_fixture.h's
// SqliteWriteBehind and MemWriteBehind).
#include <doctest/doctest.h>

#include <chrono>

#include "tests/storage/store_fixture.h"

namespace ef::storage {
namespace {

using std::chrono::milliseconds;

std::vector<Event> Batch(int first, int count) {
  std::vector<Event> out;
  for (int i = first; i < first + count; ++i) {
    Event e;
    e.stream = "telemetry";
    e.device_id = "dev-" + std::to_string(i % 3);
    e.origin = "plant/" + e.device_id + "/telemetry";
    e.ingest_time_ms = 1000 + i;
    e.format = PayloadFormat::kJson;
    e.payload = "{\"n\":" + std::to_string(i) + "}";
    out.push_back(std::move(e));
  }
  return out;
}

// Events in the file, as another process sees them.
uint64_t StoredEvents(SqliteFixture& fixture) {
  auto reader = fixture.OpenSqlite({}, /*read_only=*/true);
  auto stats = reader->Stats();
  REQUIRE(stats.ok());
  return stats->events;
}

SweepTime At(const testing::ManualClock& clock) { return SweepTime{clock.Now(), 0, false}; }

TEST_CASE("write-behind: events acked before the deadline never reach the file") {
  SqliteFixture fixture;
  testing::ManualClock clock;
  auto store = fixture.OpenSqlite();
  store->PersistAfter(clock, milliseconds(1000));
  auto batch = Batch(0, 10);
  REQUIRE(store->Append(batch).ok());
  CHECK(batch.back().seq == 10);
  std::vector<Event> read;
  REQUIRE(store->ReadAfter("telemetry", 0, 100, &read).ok());
  REQUIRE(read.size() == 10);
  std::vector<uint64_t> seqs;
  for (const Event& e : read) seqs.push_back(e.seq);
  REQUIRE(store->Ack("telemetry", seqs).ok());
  clock.Advance(std::chrono::seconds(5));
  REQUIRE(store->Expire(At(clock)).ok());  // the sweep writes what is due: nothing
  CHECK(store->PendingCount() == 0);
  CHECK(StoredEvents(fixture) == 0);
}

TEST_CASE("write-behind: memory holds at most kMaxPendingBytes before the deadline") {
  SqliteFixture fixture;
  testing::ManualClock clock;
  auto store = fixture.OpenSqlite();
  store->PersistAfter(clock, milliseconds(1000));
  uint64_t appended = 0;
  int first = 0;
  while (appended <= QueueStore::kMaxPendingBytes) {
    auto batch = Batch(first, 100);
    for (const Event& e : batch) appended += e.ByteSize();
    REQUIRE(store->Append(batch).ok());
    first += 100;
  }
  CHECK(StoredEvents(fixture) == 0);  // the clock did not move: nothing due yet
  auto one_more = Batch(first, 1);
  REQUIRE(store->Append(one_more).ok());
  CHECK(StoredEvents(fixture) == uint64_t(first));  // over the bound: written at once
  CHECK(store->PendingCount() == 1);
}

TEST_CASE("write-behind: unacked events reach the file at the deadline, acks delete later") {
  SqliteFixture fixture;
  testing::ManualClock clock;
  auto store = fixture.OpenSqlite();
  store->PersistAfter(clock, milliseconds(1000));
  auto batch = Batch(0, 10);
  REQUIRE(store->Append(batch).ok());
  clock.Advance(milliseconds(999));
  REQUIRE(store->Expire(At(clock)).ok());
  CHECK(StoredEvents(fixture) == 0);  // not yet due
  clock.Advance(milliseconds(1));
  REQUIRE(store->Expire(At(clock)).ok());
  CHECK(store->PendingCount() == 0);
  CHECK(StoredEvents(fixture) == 10);

  std::vector<Event> read;
  REQUIRE(store->ReadAfter("telemetry", 0, 100, &read).ok());
  REQUIRE(read.size() == 10);
  const std::vector<uint64_t> first = {1, 2, 3};
  REQUIRE(store->Ack("telemetry", first).ok());
  // Gone for this store at once; deleted from the file with the next group.
  CHECK(store->Backlog().front().events == 7);
  read.clear();
  REQUIRE(store->ReadAfter("telemetry", 0, 100, &read).ok());
  CHECK(read.front().seq == 4);
  CHECK(StoredEvents(fixture) == 10);
  clock.Advance(milliseconds(1000));
  REQUIRE(store->Expire(At(clock)).ok());
  CHECK(StoredEvents(fixture) == 7);
}

uint64_t StoredLastSeq(SqliteFixture& fixture) {
  auto reader = fixture.OpenSqlite({}, /*read_only=*/true);
  auto stats = reader->Stats();
  REQUIRE(stats.ok());
  return stats->last_seq;
}

TEST_CASE("write-behind: a restart keeps what was pending and never reuses a seq") {
  SqliteFixture fixture;
  uint64_t last = 0;
  {
    testing::ManualClock clock;
    auto store = fixture.OpenSqlite();
    store->PersistAfter(clock, milliseconds(1000));
    auto batch = Batch(0, 5);
    REQUIRE(store->Append(batch).ok());
    last = batch.back().seq;
  }  // closing writes the pending events, as SIGTERM does
  CHECK(StoredEvents(fixture) == 5);
  // A clean close stores the last issued seq, not the reservation taken while running.
  CHECK(StoredLastSeq(fixture) == last);
  testing::ManualClock clock;
  auto store = fixture.OpenSqlite();
  store->PersistAfter(clock, milliseconds(1000));
  auto more = Batch(5, 1);
  REQUIRE(store->Append(more).ok());
  CHECK(more[0].seq == last + 1);
  // While running, the file holds the reservation: a kill -9 now cannot make the next run
  // issue a seq this one may have handed to the uplink.
  CHECK(StoredLastSeq(fixture) >= more[0].seq + QueueStore::kSeqReserve - 1);
}

}  // namespace
}  // namespace ef::storage
