// queue.db files of earlier schema versions open without quarantine: read-only as they are,
// read-write upgraded to the current version (4: an event's fields are stored; 5: events are
// written as chunks, rows written before are still read).
#include <doctest/doctest.h>

#include "core/field_codec.h"
#include "tests/storage/raw_sqlite.h"
#include "tests/storage/store_fixture.h"

namespace ef::storage {
namespace {

// queue.db as written before fields were stored (schema_version 3): one stream table with two
// events, and one dead letter.
constexpr const char* kVersion3 = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('last_seq', 3), ('schema_version', 3);
CREATE TABLE streams (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
  dropped INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0,
  expired INTEGER NOT NULL DEFAULT 0, dead_lettered INTEGER NOT NULL DEFAULT 0,
  drain_per_s REAL NOT NULL DEFAULT 0, drain_measured_ms INTEGER NOT NULL DEFAULT 0);
CREATE TABLE dead_letters (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL,
  stream TEXT NOT NULL, device TEXT NOT NULL, origin TEXT NOT NULL,
  event_time INTEGER NOT NULL, ingest_time INTEGER NOT NULL, quality INTEGER NOT NULL,
  format INTEGER NOT NULL, payload BLOB NOT NULL, reason TEXT NOT NULL,
  dead_time INTEGER NOT NULL);
INSERT INTO dead_letters VALUES (1, 3, 'telemetry', 'd', 'o', 900, 900, 0, 1, '{"x":1}',
  'too large', 950);
INSERT INTO streams (id, name, dead_lettered) VALUES (1, 'telemetry', 1);
CREATE TABLE q_1 (seq INTEGER PRIMARY KEY, device TEXT NOT NULL, origin TEXT NOT NULL,
  event_time INTEGER NOT NULL, ingest_time INTEGER NOT NULL, quality INTEGER NOT NULL,
  format INTEGER NOT NULL, size INTEGER NOT NULL, payload BLOB NOT NULL);
INSERT INTO q_1 VALUES (1, 'd', 'o', 1000, 1000, 0, 1, 50, '{"n":1}'),
  (2, 'd', 'o', 1001, 1001, 1, 1, 50, '{"n":2}');
)sql";

std::vector<Event> ReadAll(Store& store) {
  std::vector<Event> events;
  REQUIRE(store.ReadAfter("telemetry", 0, 100, &events).ok());
  return events;
}

TEST_CASE("a queue of schema version 3 opens read-only as it is, and read-write upgraded") {
  SqliteFixture fixture;
  ExecRaw(fixture.path(), kVersion3);
  {
    auto reader = fixture.OpenSqlite({}, true);  // `queue stats` before the daemon upgraded it
    CHECK(reader->Stats()->events == 2);
    const auto events = ReadAll(*reader);
    REQUIRE(events.size() == 2);
    CHECK(events[1].payload == R"({"n":2})");
    CHECK(events[1].quality == Quality::kUncertain);
    CHECK(events[1].fields.empty());
    auto dead = reader->ListDeadLetters(10);
    REQUIRE(dead.ok());
    REQUIRE(dead->size() == 1);
    CHECK(dead->front().event.payload == R"({"x":1})");
    CHECK(dead->front().reason == "too large");
  }
  CHECK(SchemaVersion(fixture.path()) == 3);  // a reader changes nothing

  std::string quarantined;
  auto opened = fixture.OpenSqlite({}, false, &quarantined);
  SqliteStore& store = *opened;
  CHECK(quarantined.empty());
  CHECK(SchemaVersion(fixture.path()) == 5);
  CHECK(ReadAll(store).size() == 2);
  CHECK(ReadAll(store)[0].fields.empty());

  // New events carry their fields through the old stream table and the old dead_letters.
  std::vector<Event> added(1);
  added[0].stream = "telemetry";
  added[0].fields = {{"temp", 41.7}, {"ok", true}};
  REQUIRE(store.Append(added).ok());
  CHECK(added[0].seq == 4);
  CHECK(ReadAll(store).back().fields.size() == 2);
  const uint64_t seq[] = {4};
  REQUIRE(store.DeadLetter("telemetry", seq, "test", 2000).ok());
  auto dead = store.ListDeadLetters(10);
  REQUIRE(dead.ok());
  REQUIRE(dead->size() == 2);
  CHECK(dead->front().event.fields.empty());
  CHECK(dead->back().event.fields.size() == 2);
  CHECK(store.ReplayDeadLetters({}).value() == 2);
  CHECK(ReadAll(store).back().fields.size() == 2);
}

TEST_CASE("a row whose fields do not decode is read with its payload, flagged bad") {
  // Rows as an earlier version wrote them (events are chunks since version 5: chunk_test.cpp).
  SqliteFixture fixture;
  ExecRaw(fixture.path(), kVersion3);
  (void)fixture.Open();  // upgraded: the fields column
  ExecRaw(fixture.path(),
          "UPDATE q_1 SET payload = 'kept', quality = 0, fields = x'01ff' WHERE seq = 1;"
          "UPDATE q_1 SET payload = 'kept', quality = 0, fields = x'01016e010700000000000000'"
          " WHERE seq = 2");
  auto store = fixture.Open();
  const auto events = ReadAll(*store);
  REQUIRE(events.size() == 2);
  CHECK(events[0].payload == "kept");
  CHECK(events[0].fields.empty());
  CHECK(events[0].quality == Quality::kBad);
  CHECK(events[1].quality == Quality::kGood);
  CHECK(events[1].fields.size() == 1);
  const uint64_t acked[] = {1, 2};
  REQUIRE(store->Ack("telemetry", acked).ok());  // and it can be acked like any other
  CHECK(store->Stats()->events == 0);
}

}  // namespace
}  // namespace ef::storage
