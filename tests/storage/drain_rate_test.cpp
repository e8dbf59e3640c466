// Drain rates (Store::RecordDrainRates): both stores report them in Stats(); SQLite keeps
// them for other processes (`queue stats`) and opens a queue written before they existed.
#include <doctest/doctest.h>

#include <memory>

#include "tests/storage/raw_sqlite.h"
#include "tests/storage/store_fixture.h"

namespace ef::storage {
namespace {

void AppendTo(Store& store, const std::string& stream, int n) {
  std::vector<Event> events(static_cast<size_t>(n));
  for (Event& e : events) {
    e.stream = stream;
    e.device_id = "dev";
    e.ingest_time_ms = 1000;
    e.payload = "{}";
  }
  REQUIRE(store.Append(events).ok());
}

StreamStats StatsOf(Store& store, const std::string& stream) {
  auto stats = store.Stats();
  REQUIRE(stats.ok());
  for (const StreamStats& s : stats->streams) {
    if (s.stream == stream) return s;
  }
  return StreamStats{};
}

TEST_CASE_TEMPLATE("drain rates are recorded per stream and reported by Stats", Fixture,
                   SqliteFixture, MemFixture, SqliteWriteBehind, MemWriteBehind) {
  Fixture fixture;
  auto store = fixture.Open();
  AppendTo(*store, "telemetry", 3);
  AppendTo(*store, "alerts", 1);
  CHECK(StatsOf(*store, "telemetry").drain_measured_ms == 0);  // never measured

  const StreamRate first[] = {{"telemetry", 210.5}};
  REQUIRE(store->RecordDrainRates(first, 5'000).ok());
  CHECK(StatsOf(*store, "telemetry").drain_per_s == 210.5);
  CHECK(StatsOf(*store, "telemetry").drain_measured_ms == 5'000);
  CHECK(StatsOf(*store, "alerts").drain_measured_ms == 0);

  const StreamRate second[] = {{"alerts", 3}, {"telemetry", 0}, {"nobody", 7}};
  REQUIRE(store->RecordDrainRates(second, 15'000).ok());
  CHECK(StatsOf(*store, "telemetry").drain_per_s == 0);  // stalled: recorded as 0
  CHECK(StatsOf(*store, "telemetry").drain_measured_ms == 15'000);
  CHECK(StatsOf(*store, "alerts").drain_per_s == 3);
  auto stats = store->Stats();
  REQUIRE(stats.ok());
  CHECK(stats->streams.size() == 2);  // a rate alone does not make a stream
  CHECK(stats->events == 4);          // recording touches no events
}

TEST_CASE("drain rates survive a reopen and reach a read-only store") {
  SqliteFixture queue;
  auto writer = queue.OpenSqlite();
  AppendTo(*writer, "telemetry", 2);
  auto reader = queue.OpenSqlite({}, true);
  const StreamRate rates[] = {{"telemetry", 42.25}};
  REQUIRE(writer->RecordDrainRates(rates, 9'000).ok());
  CHECK(StatsOf(*reader, "telemetry").drain_per_s == 42.25);  // seen while the writer runs
  writer.reset();
  auto reopened = queue.OpenSqlite();
  CHECK(StatsOf(*reopened, "telemetry").drain_per_s == 42.25);
  CHECK(StatsOf(*reopened, "telemetry").drain_measured_ms == 9'000);
}

// The schema of queue.db as written before drain rates (schema_version 2), with one stream
// table holding two events.
constexpr const char* kPreviousVersion = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('last_seq', 2), ('schema_version', 2);
CREATE TABLE streams (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
  dropped INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0,
  expired INTEGER NOT NULL DEFAULT 0, dead_lettered INTEGER NOT NULL DEFAULT 0);
CREATE TABLE dead_letters (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL,
  stream TEXT NOT NULL, device TEXT NOT NULL, origin TEXT NOT NULL,
  event_time INTEGER NOT NULL, ingest_time INTEGER NOT NULL, quality INTEGER NOT NULL,
  format INTEGER NOT NULL, payload BLOB NOT NULL, reason TEXT NOT NULL,
  dead_time INTEGER NOT NULL);
INSERT INTO streams (id, name, dropped) VALUES (1, 'telemetry', 4);
CREATE TABLE q_1 (seq INTEGER PRIMARY KEY, device TEXT NOT NULL, origin TEXT NOT NULL,
  event_time INTEGER NOT NULL, ingest_time INTEGER NOT NULL, quality INTEGER NOT NULL,
  format INTEGER NOT NULL, size INTEGER NOT NULL, payload BLOB NOT NULL);
INSERT INTO q_1 VALUES (1, 'd', 'o', 1000, 1000, 0, 0, 50, '{}'),
  (2, 'd', 'o', 1001, 1001, 0, 0, 50, '{}');
)sql";

TEST_CASE("a queue written before drain rates opens as it is, read-only and read-write") {
  SqliteFixture queue;
  ExecRaw(queue.path(), kPreviousVersion);
  std::string quarantined;
  auto reader = queue.OpenSqlite({}, true, &quarantined);  // `queue stats` before the daemon upgraded it
  CHECK(StatsOf(*reader, "telemetry").events == 2);
  CHECK(StatsOf(*reader, "telemetry").drain_measured_ms == 0);
  reader.reset();
  CHECK(SchemaVersion(queue.path()) == 2);  // a reader changes nothing
  auto writer = queue.OpenSqlite({}, false, &quarantined);
  CHECK(quarantined.empty());
  CHECK(SchemaVersion(queue.path()) == 5);  // upgraded all the way to the current version
  CHECK(StatsOf(*writer, "telemetry").events == 2);
  CHECK(StatsOf(*writer, "telemetry").counters.dropped == 4);
  CHECK(writer->Stats()->last_seq == 2);
  const StreamRate rates[] = {{"telemetry", 5}};
  REQUIRE(writer->RecordDrainRates(rates, 1'000).ok());
  CHECK(StatsOf(*queue.OpenSqlite({}, true), "telemetry").drain_per_s == 5);
}

}  // namespace
}  // namespace ef::storage
