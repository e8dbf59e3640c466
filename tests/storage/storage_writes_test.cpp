// The daemon's storage writes figure (SqliteStore::NoteWrites, SaveWrites, StoredWrites): it
// rides with the groups the store writes anyway and is read back by a second, read-only store
// as `edgeferry queue stats` reads it; a file written before the figure existed still opens.
#include <doctest/doctest.h>

#include "tests/storage/raw_sqlite.h"
#include "tests/storage/store_fixture.h"

namespace ef::storage {
namespace {

std::vector<Event> OneEvent() {
  std::vector<Event> out(1);
  out[0].stream = "telemetry";
  out[0].device_id = "dev";
  out[0].payload = R"({"n":1})";
  return out;
}

// The figure in the file, as another process reads it.
StorageWrites Stored(SqliteFixture& fixture) {
  auto reader = fixture.OpenSqlite({}, /*read_only=*/true);
  auto writes = reader->StoredWrites();
  REQUIRE(writes.ok());
  return *writes;
}

void CheckSame(const StorageWrites& a, const StorageWrites& b) {
  CHECK(a.bytes == b.bytes);
  CHECK(a.events == b.events);
  CHECK(a.since_ms == b.since_ms);
  CHECK(a.as_of_ms == b.as_of_ms);
}

TEST_CASE("storage writes: the noted figure round-trips with the next group that writes the seq") {
  SqliteFixture fixture;
  auto store = fixture.OpenSqlite();
  CHECK(Stored(fixture).as_of_ms == 0);  // none yet
  const StorageWrites first{123'456, 789, 1'000, 61'000};
  store->NoteWrites(first);
  CHECK(Stored(fixture).as_of_ms == 0);  // noted only: no write of its own
  auto events = OneEvent();
  REQUIRE(store->Append(events).ok());  // writes last_seq: the figure rides along
  CheckSame(Stored(fixture), first);
}

TEST_CASE("storage writes: a group that leaves the seq alone stores it at most once a minute") {
  SqliteFixture fixture;
  auto store = fixture.OpenSqlite();
  auto events = OneEvent();
  const StorageWrites first{1'000, 1, 0, 100'000};
  store->NoteWrites(first);
  REQUIRE(store->Append(events).ok());
  const uint64_t seq[] = {events[0].seq};

  store->NoteWrites({2'000, 1, 0, 100'000 + SqliteStore::kWritesEveryMs - 1});
  REQUIRE(store->Ack("telemetry", seq).ok());  // a delete only: too soon to store it
  CheckSame(Stored(fixture), first);

  const StorageWrites later{3'000, 1, 0, 100'000 + SqliteStore::kWritesEveryMs};
  store->NoteWrites(later);
  events = OneEvent();
  REQUIRE(store->Append(events).ok());
  const uint64_t second[] = {events[0].seq};
  store->NoteWrites({4'000, 2, 0, later.as_of_ms + 1});
  REQUIRE(store->Ack("telemetry", second).ok());
  CHECK(Stored(fixture).bytes == 3'000);  // the Append stored `later`; the Ack was too soon
}

TEST_CASE("storage writes: SaveWrites stores the figure at once") {
  SqliteFixture fixture;
  auto store = fixture.OpenSqlite();
  const StorageWrites stop{9'999, 42, 5, 6};
  REQUIRE(store->SaveWrites(stop).ok());
  CheckSame(Stored(fixture), stop);
  auto events = OneEvent();
  REQUIRE(store->Append(events).ok());  // stored already: not written again
  CheckSame(Stored(fixture), stop);
}

// The events of a schema version 4 queue.db, written before the figure existed (meta has no
// written_* rows).
constexpr const char* kWithoutFigure = R"sql(
INSERT INTO q_1 VALUES (1, 'd', 'o', 1000, 1000, 0, 1, 50, '{"n":1}', x''),
  (2, 'd', 'o', 1001, 1001, 0, 1, 50, '{"n":2}', x'');
)sql";

TEST_CASE("storage writes: a file written before the figure opens and gains it") {
  SqliteFixture fixture;
  ExecRaw(fixture.path(), kSchemaVersion4Tables);
  ExecRaw(fixture.path(), kWithoutFigure);
  {
    auto reader = fixture.OpenSqlite({}, /*read_only=*/true);  // queue stats before the daemon
    CHECK(reader->Stats()->events == 2);
    auto writes = reader->StoredWrites();
    REQUIRE(writes.ok());
    CHECK(writes->as_of_ms == 0);
  }
  std::string quarantined;
  auto store = fixture.OpenSqlite({}, false, &quarantined);
  CHECK(quarantined.empty());
  CHECK(SchemaVersion(fixture.path()) == 5);  // chunks (v5); the figure is rows of meta
  const StorageWrites figure{5'000, 3, 10, 70'010};
  store->NoteWrites(figure);
  auto events = OneEvent();
  REQUIRE(store->Append(events).ok());
  CHECK(events[0].seq == 3);
  CheckSame(Stored(fixture), figure);
  auto reader = fixture.OpenSqlite({}, /*read_only=*/true);
  CHECK(reader->Stats()->events == 3);
  CHECK(reader->Stats()->last_seq == 3);
}

}  // namespace
}  // namespace ef::storage
