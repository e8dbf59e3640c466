// Dead letters handed over by pipeline stages are committed with their group: in the same
// transaction, counted per stream, listed with their reason.
#include <doctest/doctest.h>

#include "tests/storage/store_fixture.h"

namespace ef::storage {
namespace {

Event Telemetry(std::string payload) {
  Event e;
  e.stream = "telemetry";
  e.device_id = "d1";
  e.origin = "plant/d1/telemetry";
  e.payload = std::move(payload);
  return e;
}

TEST_CASE_TEMPLATE("a group's dead letters are stored and counted with it", F, SqliteFixture,
                   MemFixture) {
  F fixture;
  auto store = fixture.Open();
  std::vector<Event> kept = {Telemetry("{\"v\":1}")};
  std::vector<DeadLetterEntry> dead = {{Telemetry("{\"v\":"), "decode: invalid JSON"}};
  REQUIRE(store->AppendWithDeadLetters(kept, {}, dead, 1234).ok());
  CHECK(kept[0].seq != 0);
  auto stats = store->Stats();
  REQUIRE(stats.ok());
  CHECK(stats->events == 1);
  CHECK(stats->dead_letters == 1);
  REQUIRE(stats->streams.size() == 1);
  CHECK(stats->streams[0].counters.dead_lettered == 1);
}

TEST_CASE("a stage's dead letter is listed with its reason, payload and fields") {
  SqliteFixture fixture;
  auto store = fixture.OpenSqlite();
  Event bad = Telemetry("{\"v\":");
  bad.fields.push_back({"site", std::string("north")});
  std::vector<DeadLetterEntry> dead = {{bad, "decode: invalid JSON"}};
  REQUIRE(store->AppendWithDeadLetters({}, {}, dead, 1234).ok());
  auto rows = store->ListDeadLetters(10);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].reason == "decode: invalid JSON");
  CHECK((*rows)[0].dead_time_ms == 1234);
  CHECK((*rows)[0].event.payload == "{\"v\":");
  CHECK((*rows)[0].event.fields.size() == 1);
  // Replayed like any dead letter: back into its stream.
  auto replayed = store->ReplayDeadLetters({});
  REQUIRE(replayed.ok());
  CHECK(*replayed == 1);
  CHECK(store->Stats()->events == 1);
}

}  // namespace
}  // namespace ef::storage
