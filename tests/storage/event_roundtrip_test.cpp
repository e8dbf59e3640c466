// Every member of an Event survives every way it travels: both stores, a reopened SQLite
// file, the dead-letter table and its replay, and the cloud envelope (parsed back with
// simdjson). What MemStore keeps, SqliteStore must keep too.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <bit>
#include <cmath>
#include <limits>

#include "core/json.h"
#include "tests/storage/store_fixture.h"
#include "uplink/envelope.h"

namespace ef::storage {
namespace {

Event Full() {
  Event e;
  e.stream = "telemetry";
  e.device_id = "dev-\"7\"";
  e.origin = "plant/dev-7/telemetry";
  e.event_time_ms = 1764311999000;
  e.ingest_time_ms = 1764312000123;
  e.quality = Quality::kUncertain;
  e.format = PayloadFormat::kBinary;
  e.fields = {{"on", true},
              {"off", false},
              {"min", std::numeric_limits<int64_t>::min()},
              {"max", std::numeric_limits<int64_t>::max()},
              {"temp", 41.7},
              {"nan", std::numeric_limits<double>::quiet_NaN()},
              {"inf", std::numeric_limits<double>::infinity()},
              {"note", std::string("quoted \"x\"\n\tüber")},
              {"empty", std::string()}};
  e.payload = std::string("\x00\xff\xfe raw \x80", 9);
  return e;
}

bool SameValue(const Value& a, const Value& b) {
  if (a.index() != b.index()) return false;
  if (const double* x = std::get_if<double>(&a)) {
    return std::bit_cast<uint64_t>(*x) == std::bit_cast<uint64_t>(std::get<double>(b));
  }
  return a == b;
}

// Every member but seq, which the caller checks (a replay assigns a new one).
void CheckSame(const Event& got, const Event& want) {
  CHECK(got.stream == want.stream);
  CHECK(got.device_id == want.device_id);
  CHECK(got.origin == want.origin);
  CHECK(got.event_time_ms == want.event_time_ms);
  CHECK(got.ingest_time_ms == want.ingest_time_ms);
  CHECK(got.quality == want.quality);
  CHECK(got.format == want.format);
  CHECK(got.payload == want.payload);
  REQUIRE(got.fields.size() == want.fields.size());
  for (size_t i = 0; i < want.fields.size(); ++i) {
    CAPTURE(want.fields[i].name);
    CHECK(got.fields[i].name == want.fields[i].name);
    CHECK(SameValue(got.fields[i].value, want.fields[i].value));
  }
}

Event ReadOne(Store& store, uint64_t after_seq = 0) {
  std::vector<Event> events;
  REQUIRE(store.ReadAfter("telemetry", after_seq, 10, &events).ok());
  REQUIRE(events.size() == 1);
  return events[0];
}

TEST_CASE_TEMPLATE("every member of an Event survives the store", Fixture, SqliteFixture,
                   MemFixture, SqliteWriteBehind, MemWriteBehind) {
  Fixture fixture;
  auto store = fixture.Open();
  std::vector<Event> events = {Full()};
  REQUIRE(store->Append(events).ok());
  const Event read = ReadOne(*store);
  CHECK(read.seq == events[0].seq);
  CheckSame(read, Full());
}

TEST_CASE("every member of an Event survives a reopen, the dead-letter table and a replay") {
  SqliteFixture fixture;
  std::vector<Event> events = {Full()};
  REQUIRE(fixture.Open()->Append(events).ok());
  auto store = fixture.OpenSqlite();
  CheckSame(ReadOne(*store), Full());

  const uint64_t seq[] = {events[0].seq};
  REQUIRE(store->DeadLetter("telemetry", seq, "test", 5000).ok());
  auto dead = store->ListDeadLetters(10);
  REQUIRE(dead.ok());
  REQUIRE(dead->size() == 1);
  CHECK(dead->front().event.seq == events[0].seq);
  CheckSame(dead->front().event, Full());

  REQUIRE(store->ReplayDeadLetters({}).value() == 1);
  const Event replayed = ReadOne(*store);
  CHECK(replayed.seq > events[0].seq);
  CheckSame(replayed, Full());
}

TEST_CASE("every member of an Event reaches the cloud envelope") {
  Event e = Full();
  e.seq = 42;
  std::string message;
  uplink::AppendEnvelope(message, "gw-1", e);
  simdjson::dom::parser parser;
  simdjson::dom::object env;
  REQUIRE(parser.parse(message).get(env) == simdjson::SUCCESS);
  CHECK(std::string_view(env["gateway"]) == "gw-1");
  CHECK(std::string_view(env["stream"]) == e.stream);
  CHECK(std::string_view(env["device"]) == e.device_id);
  CHECK(std::string_view(env["topic"]) == e.origin);
  CHECK(uint64_t(env["seq"]) == 42);
  CHECK(int64_t(env["time"]) == e.ingest_time_ms);
  CHECK(int64_t(env["event_time"]) == e.event_time_ms);
  CHECK(std::string_view(env["quality"]) == "uncertain");
  std::string b64;
  AppendBase64(b64, e.payload);  // binary format: carried as base64 (RFC 4648, json_test)
  CHECK(std::string_view(env["payload_b64"]) == b64);

  simdjson::dom::object fields = env["fields"];
  CHECK(fields.size() == e.fields.size());
  CHECK(bool(fields["on"]) == true);
  CHECK(bool(fields["off"]) == false);
  CHECK(int64_t(fields["min"]) == std::numeric_limits<int64_t>::min());
  CHECK(int64_t(fields["max"]) == std::numeric_limits<int64_t>::max());
  CHECK(double(fields["temp"]) == 41.7);
  CHECK(fields["nan"].is_null());
  CHECK(fields["inf"].is_null());
  CHECK(std::string_view(fields["note"]) == std::get<std::string>(e.fields[7].value));
  CHECK(std::string_view(fields["empty"]).empty());

  // Good, read when received, no fields: none of the three keys.
  e.quality = Quality::kGood;
  e.event_time_ms = e.ingest_time_ms;
  e.fields.clear();
  message.clear();
  uplink::AppendEnvelope(message, "gw-1", e);
  REQUIRE(parser.parse(message).get(env) == simdjson::SUCCESS);
  for (const char* key : {"event_time", "quality", "fields"}) {
    CAPTURE(key);
    CHECK(env[key].error() == simdjson::NO_SUCH_FIELD);
  }
}

}  // namespace
}  // namespace ef::storage
