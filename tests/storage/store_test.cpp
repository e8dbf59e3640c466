// One suite for every Store implementation, so MemStore cannot drift from SqliteStore.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>

#include "storage/sqlite_store.h"
#include "tests/fakes/mem_store.h"

namespace ef::storage {
namespace {

Event Make(int i) {
  Event e;
  e.stream = "telemetry";
  e.device_id = "dev-" + std::to_string(i % 3);
  e.origin = "plant/" + e.device_id + "/telemetry";
  e.ingest_time_ms = 1000 + i;
  e.event_time_ms = 1000 + i;
  e.format = PayloadFormat::kJson;
  e.payload = "{\"n\":" + std::to_string(i) + "}";
  return e;
}

std::vector<Event> MakeBatch(int first, int count) {
  std::vector<Event> out;
  for (int i = first; i < first + count; ++i) out.push_back(Make(i));
  return out;
}

struct SqliteFixture {
  std::filesystem::path dir;
  SqliteFixture() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ef-store-XXXXXX").string();
    dir = mkdtemp(pattern.data());
  }
  ~SqliteFixture() { std::filesystem::remove_all(dir); }
  std::unique_ptr<Store> Open() {
    auto store = SqliteStore::Open({(dir / "queue.db").string(), Durability::kNormal});
    REQUIRE(store.ok());
    return std::move(store.value());
  }
};

struct MemFixture {
  std::shared_ptr<testing::MemStore> shared = std::make_shared<testing::MemStore>();
  // "Reopening" a MemStore gives the same memory back, the way a file would.
  std::unique_ptr<Store> Open() {
    struct View final : Store {
      std::shared_ptr<testing::MemStore> s;
      Status Append(std::span<Event> e) override { return s->Append(e); }
      Status ReadAfter(uint64_t a, size_t m, std::vector<Event>* o) override {
        return s->ReadAfter(a, m, o);
      }
      Status Ack(std::span<const uint64_t> q) override { return s->Ack(q); }
      Result<StoreStats> Stats() override { return s->Stats(); }
    };
    auto view = std::make_unique<View>();
    view->s = shared;
    return view;
  }
};

TEST_CASE_TEMPLATE("a store keeps events in sequence order until they are acked", Fixture,
                   SqliteFixture, MemFixture) {
  Fixture fixture;
  auto store = fixture.Open();
  auto batch = MakeBatch(0, 10);
  REQUIRE(store->Append(batch).ok());
  for (size_t i = 0; i < batch.size(); ++i) CHECK(batch[i].seq == i + 1);

  std::vector<Event> read;
  REQUIRE(store->ReadAfter(0, 4, &read).ok());
  REQUIRE(read.size() == 4);
  CHECK(read[0].seq == 1);
  CHECK(read[3].seq == 4);
  CHECK(read[2].payload == "{\"n\":2}");
  CHECK(read[2].device_id == "dev-2");
  CHECK(read[2].format == PayloadFormat::kJson);

  const std::vector<uint64_t> acked = {1, 2, 4};
  REQUIRE(store->Ack(acked).ok());
  read.clear();
  REQUIRE(store->ReadAfter(0, 100, &read).ok());
  REQUIRE(read.size() == 7);
  CHECK(read[0].seq == 3);
  CHECK(read[1].seq == 5);

  auto stats = store->Stats();
  REQUIRE(stats.ok());
  CHECK(stats->events == 7);
  CHECK(stats->last_seq == 10);
  CHECK(stats->oldest_ingest_ms == 1002);
}

TEST_CASE_TEMPLATE("sequence numbers are never reused, even after the queue emptied and reopened",
                   Fixture, SqliteFixture, MemFixture) {
  Fixture fixture;
  {
    auto store = fixture.Open();
    auto batch = MakeBatch(0, 5);
    REQUIRE(store->Append(batch).ok());
    const std::vector<uint64_t> all = {1, 2, 3, 4, 5};
    REQUIRE(store->Ack(all).ok());
  }
  auto store = fixture.Open();
  auto batch = MakeBatch(5, 2);
  REQUIRE(store->Append(batch).ok());
  CHECK(batch[0].seq == 6);
  CHECK(batch[1].seq == 7);
}

TEST_CASE_TEMPLATE("unacked events survive a reopen", Fixture, SqliteFixture, MemFixture) {
  Fixture fixture;
  {
    auto store = fixture.Open();
    auto batch = MakeBatch(0, 3);
    REQUIRE(store->Append(batch).ok());
  }
  auto store = fixture.Open();
  std::vector<Event> read;
  REQUIRE(store->ReadAfter(0, 10, &read).ok());
  CHECK(read.size() == 3);
}

TEST_CASE_TEMPLATE("acking unknown sequence numbers is harmless", Fixture, SqliteFixture,
                   MemFixture) {
  Fixture fixture;
  auto store = fixture.Open();
  const std::vector<uint64_t> unknown = {99, 100};
  CHECK(store->Ack(unknown).ok());
}

TEST_CASE("a binary payload with NUL bytes round-trips through SQLite") {
  SqliteFixture fixture;
  auto store = fixture.Open();
  std::vector<Event> batch = {Make(0)};
  batch[0].payload = std::string("\0\x01\xff", 3);
  batch[0].format = PayloadFormat::kBinary;
  REQUIRE(store->Append(batch).ok());
  std::vector<Event> read;
  REQUIRE(store->ReadAfter(0, 10, &read).ok());
  REQUIRE(read.size() == 1);
  CHECK(read[0].payload == std::string("\0\x01\xff", 3));
  CHECK(read[0].format == PayloadFormat::kBinary);
}

}  // namespace
}  // namespace ef::storage
