// Stage state (Store::Append with state, Store::ReadState) on both stores: committed with its
// events, all or nothing.
#include <doctest/doctest.h>

#include "tests/storage/store_fixture.h"

namespace ef::storage {
namespace {

std::vector<Event> Events(int n) {
  std::vector<Event> events(static_cast<size_t>(n));
  for (Event& e : events) {
    e.stream = "telemetry";
    e.device_id = "dev";
    e.payload = "{}";
  }
  return events;
}

std::vector<StateEntry> Read(Store& store, std::string_view prefix) {
  std::vector<StateEntry> out;
  REQUIRE(store.ReadState(prefix, &out).ok());
  return out;
}

std::vector<std::string> Keys(Store& store, std::string_view prefix) {
  std::vector<std::string> keys;
  for (const StateEntry& e : Read(store, prefix)) keys.push_back(e.key);
  return keys;
}

uint64_t Stored(Store& store) { return store.Stats()->events; }

TEST_CASE_TEMPLATE("stage state is committed with the events of its group", Fixture,
                   SqliteFixture, MemFixture, SqliteWriteBehind, MemWriteBehind) {
  Fixture fixture;
  auto store = fixture.Open();
  auto events = Events(2);
  const StateEntry state[] = {{"win/b", std::string("\x00\x01", 2)}, {"win/a", "open"}};
  REQUIRE(store->Append(events, state).ok());
  CHECK(events[1].seq == 2);
  CHECK(Stored(*store) == 2);
  const auto read = Read(*store, "win/");
  REQUIRE(read.size() == 2);
  CHECK(read[0].key == "win/a");  // sorted by key
  CHECK(read[0].value == "open");
  CHECK(read[1].value == std::string("\x00\x01", 2));

  // A later group overwrites and erases; state alone (no events) is a group too.
  const StateEntry next[] = {{"win/a", "closed"}, {"win/b", "", true}, {"win/c", ""}};
  REQUIRE(store->Append({}, next).ok());
  CHECK(Keys(*store, "win/") == std::vector<std::string>{"win/a", "win/c"});
  CHECK(Read(*store, "win/a")[0].value == "closed");
  CHECK(Read(*store, "win/c")[0].value.empty());
  CHECK(store->Stats()->last_seq == 2);
}

TEST_CASE_TEMPLATE("a prefix reads only its own keys", Fixture, SqliteFixture, MemFixture, SqliteWriteBehind, MemWriteBehind) {
  Fixture fixture;
  auto store = fixture.Open();
  const StateEntry state[] = {{"a/x", "1"},  {"a/y", "2"}, {"ab/x", "3"},
                              {"a", "4"},    {"b/x", "5"}, {std::string("a\xff/z"), "6"},
                              {"\xff\xff", "7"}};
  REQUIRE(store->Append({}, state).ok());
  CHECK(Keys(*store, "a/") == std::vector<std::string>{"a/x", "a/y"});
  CHECK(Keys(*store, "ab/") == std::vector<std::string>{"ab/x"});
  CHECK(Keys(*store, "a\xff") == std::vector<std::string>{"a\xff/z"});
  CHECK(Keys(*store, "\xff").size() == 1);  // no key above it: the range has no end
  CHECK(Keys(*store, "c/").empty());
  CHECK(Read(*store, "").size() == 7);
}

TEST_CASE_TEMPLATE("state is written even when reject_new refused every event", Fixture,
                   SqliteFixture, MemFixture, SqliteWriteBehind, MemWriteBehind) {
  Fixture fixture;
  auto store = fixture.Open(OneStream(Overflow::kRejectNew, 1));
  auto events = Events(2);
  const StateEntry state[] = {{"det/base", "x"}};
  REQUIRE(store->Append(events, state).ok());
  CHECK(events[0].seq == 0);
  CHECK(Stored(*store) == 0);
  CHECK(Keys(*store, "det/") == std::vector<std::string>{"det/base"});
}

TEST_CASE_TEMPLATE("a group refused by backpressure stores neither events nor state", Fixture,
                   SqliteFixture, MemFixture, SqliteWriteBehind, MemWriteBehind) {
  Fixture fixture;
  auto store = fixture.Open(OneStream(Overflow::kBackpressure, 100));
  auto events = Events(3);  // 42 bytes each: the third does not fit
  const StateEntry state[] = {{"win/a", "open"}};
  const Status s = store->Append(events, state);
  CHECK(s.code() == Status::Code::kUnavailable);
  CHECK(Stored(*store) == 0);
  CHECK(Read(*store, "").empty());
  CHECK(events[0].seq == 0);
  // The refused group was the first to write state (SQLite created its table in it, and
  // rolled that back too): the next one writes it all the same.
  REQUIRE(store->Append({}, state).ok());
  CHECK(Keys(*store, "win/") == std::vector<std::string>{"win/a"});
}

TEST_CASE("a failed group stores neither events nor state") {
  MemStore store;
  const StateEntry first[] = {{"win/a", "v1"}};
  REQUIRE(store.Append({}, first).ok());
  store.FailNextInserts(1);
  auto events = Events(2);
  const StateEntry second[] = {{"win/a", "v2"}, {"win/b", "new"}};
  CHECK_FALSE(store.Append(events, second).ok());
  CHECK(Stored(store) == 0);
  const auto read = Read(store, "win/");
  REQUIRE(read.size() == 1);
  CHECK(read[0].value == "v1");
}

TEST_CASE("stage state survives reopening the SQLite store, and a reader sees it") {
  SqliteFixture fixture;
  {
    auto store = fixture.Open();
    auto events = Events(1);
    const StateEntry state[] = {{"win/a", "open"}, {"win/gone", "x"}};
    REQUIRE(store->Append(events, state).ok());
    const StateEntry erase[] = {{"win/gone", "", true}};
    REQUIRE(store->Append({}, erase).ok());
  }
  auto store = fixture.Open();
  CHECK(Keys(*store, "win/") == std::vector<std::string>{"win/a"});
  CHECK(Read(*store, "win/a")[0].value == "open");
  CHECK(Stored(*store) == 1);
  CHECK(Keys(*fixture.OpenSqlite({}, true), "win/") == std::vector<std::string>{"win/a"});
}

}  // namespace
}  // namespace ef::storage
