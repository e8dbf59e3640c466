// Events stored as chunks (storage/chunk_table.h), through SqliteStore's public API on real
// files, with the table looked at raw: a group is one row; acks, bounds, TTL and dead letters
// remove exactly the events they did as rows (checked against MemStore); rows written by an
// earlier version are read and removed with the chunks in seq order; a kill never leaves a
// group half stored.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <functional>

#include "tests/fakes/wait.h"
#include "tests/storage/raw_sqlite.h"
#include "tests/storage/store_fixture.h"

namespace ef::storage {
namespace {

std::vector<Event> Batch(int first, int count) {
  std::vector<Event> out(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    Event& e = out[static_cast<size_t>(i)];
    e.stream = "telemetry";
    e.device_id = "dev-" + std::to_string((first + i) % 3);
    e.ingest_time_ms = 1000 + first + i;
    e.event_time_ms = e.ingest_time_ms;
    e.payload = "{\"n\":" + std::to_string(first + i) + std::string(size_t(i % 4) * 9, ' ') + "}";
    e.fields = {{"n", int64_t{first + i}}};
  }
  return out;
}

std::vector<uint64_t> Seqs(Store& store, uint64_t after = 0, size_t max = 100000) {
  std::vector<Event> events;
  REQUIRE(store.ReadAfter("telemetry", after, max, &events).ok());
  std::vector<uint64_t> out;
  for (const Event& e : events) out.push_back(e.seq);
  return out;
}

StreamStats StatsOf(Store& store) {
  auto stats = store.Stats();
  REQUIRE(stats.ok());
  for (const StreamStats& s : stats->streams) {
    if (s.stream == "telemetry") return s;
  }
  return StreamStats{};
}

int64_t Chunks(const SqliteFixture& fixture) {
  return QueryInt(fixture.path(), "SELECT count(*) FROM c_1");
}

// Runs `step` on a SqliteStore and a MemStore alike and checks they hold the same events with
// the same accounting afterwards.
struct Twins {
  SqliteFixture fixture;
  std::unique_ptr<Store> sqlite, mem;
  explicit Twins(const StorePolicy& policy)
      : sqlite(fixture.Open(policy)), mem(MemFixture().Open(policy)) {}
  void Do(const std::function<void(Store&)>& step) {
    step(*sqlite);
    step(*mem);
    CHECK(Seqs(*sqlite) == Seqs(*mem));
    const StreamStats a = StatsOf(*sqlite), b = StatsOf(*mem);
    CHECK(a.events == b.events);
    CHECK(a.bytes == b.bytes);
    CHECK(a.counters.dropped == b.counters.dropped);
    CHECK(a.counters.expired == b.counters.expired);
    CHECK(a.counters.dead_lettered == b.counters.dead_lettered);
  }
};

TEST_CASE("chunks: a group is one row; a partial ack rewrites it, a whole one deletes it") {
  SqliteFixture fixture;
  auto store = fixture.Open();
  auto first = Batch(0, 10), second = Batch(10, 5);
  REQUIRE(store->Append(first).ok());
  REQUIRE(store->Append(second).ok());
  CHECK(Chunks(fixture) == 2);
  const uint64_t some[] = {3, 4, 9};
  REQUIRE(store->Ack("telemetry", some).ok());
  CHECK(Chunks(fixture) == 2);
  CHECK(QueryInt(fixture.path(), "SELECT count FROM c_1 ORDER BY first_seq LIMIT 1") == 7);
  CHECK(Seqs(*store) == std::vector<uint64_t>{1, 2, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15});
  uint64_t bytes = 0;
  for (const Event& e : first) bytes += e.seq == 3 || e.seq == 4 || e.seq == 9 ? 0 : e.ByteSize();
  for (const Event& e : second) bytes += e.ByteSize();
  CHECK(StatsOf(*store).bytes == bytes);
  const uint64_t rest[] = {1, 2, 5, 6, 7, 8, 10};  // the first chunk's last events
  REQUIRE(store->Ack("telemetry", rest).ok());
  CHECK(Chunks(fixture) == 1);
  const uint64_t all[] = {11, 12, 13, 14, 15};
  REQUIRE(store->Ack("telemetry", all).ok());
  CHECK(Chunks(fixture) == 0);
  CHECK(StatsOf(*store).bytes == 0);
  // Reads go batch by batch through a chunk, and its fields come back.
  auto third = Batch(20, 9);
  REQUIRE(store->Append(third).ok());
  CHECK(Seqs(*store, 15, 4) == std::vector<uint64_t>{16, 17, 18, 19});
  CHECK(Seqs(*store, 19, 4) == std::vector<uint64_t>{20, 21, 22, 23});
  std::vector<Event> read;
  REQUIRE(store->ReadAfter("telemetry", 23, 10, &read).ok());
  REQUIRE(read.size() == 1);
  CHECK(read[0].payload == third.back().payload);
  CHECK(read[0].fields.size() == 1);
}

TEST_CASE("chunks: a huge group is stored as several chunks, read and acked in order") {
  SqliteFixture fixture;
  auto store = fixture.Open();
  auto batch = Batch(0, 2500);
  REQUIRE(store->Append(batch).ok());
  CHECK(Chunks(fixture) == 3);
  CHECK(QueryInt(fixture.path(), "SELECT max(count) FROM c_1") == 1000);
  const auto seqs = Seqs(*store);
  REQUIRE(seqs.size() == 2500);
  CHECK(seqs.back() == 2500);
  CHECK(std::is_sorted(seqs.begin(), seqs.end()));
  REQUIRE(store->Ack("telemetry", seqs).ok());
  CHECK(Chunks(fixture) == 0);
  CHECK(StatsOf(*store).events == 0);
}

TEST_CASE("chunks: drop_oldest removes exactly the events it removed as rows") {
  const uint64_t bound = Batch(0, 1)[0].ByteSize() * 23;
  Twins twins(OneStream(Overflow::kDropOldest, bound));
  int next = 0;
  for (int size : {7, 3, 11, 5, 1, 9, 4, 13, 2, 6}) {
    twins.Do([&](Store& store) {
      auto batch = Batch(next, size);
      REQUIRE(store.Append(batch).ok());
    });
    next += size;
  }
  CHECK(StatsOf(*twins.sqlite).counters.dropped > 0);
  CHECK(Chunks(twins.fixture) < static_cast<int64_t>(StatsOf(*twins.sqlite).events));
}

TEST_CASE("chunks: TTL expiry cuts inside a chunk exactly as it cut rows") {
  StorePolicy policy = OneStream(Overflow::kDropOldest, 0);
  policy.streams[0].ttl_ms = 100;
  Twins twins(policy);
  twins.Do([](Store& store) {
    auto batch = Batch(0, 10);  // ingest 1000..1009
    REQUIRE(store.Append(batch).ok());
  });
  twins.Do([](Store& store) {
    auto expired = store.Expire(SweepTime{Clock::TimePoint{}, 1105, true});  // before 1005
    REQUIRE(expired.ok());
    CHECK(*expired == 5);
  });
  CHECK(Chunks(twins.fixture) == 1);
  CHECK(QueryInt(twins.fixture.path(), "SELECT first_seq FROM c_1") == 6);
  CHECK(QueryInt(twins.fixture.path(), "SELECT oldest_ingest FROM c_1") == 1005);
  CHECK(StatsOf(*twins.sqlite).oldest_ingest_ms == 1005);
}

TEST_CASE("chunks: a dead letter from the middle of a chunk keeps its seq and fields") {
  Twins twins({});
  twins.Do([](Store& store) {
    auto batch = Batch(0, 10);
    REQUIRE(store.Append(batch).ok());
  });
  twins.Do([](Store& store) {
    const uint64_t refused[] = {5, 6};
    REQUIRE(store.DeadLetter("telemetry", refused, "too large", 5000).ok());
  });
  auto& sqlite = static_cast<SqliteStore&>(*twins.sqlite);
  auto dead = sqlite.ListDeadLetters(10);
  REQUIRE(dead.ok());
  REQUIRE(dead->size() == 2);
  CHECK(dead->front().event.seq == 5);
  CHECK(dead->front().event.payload == Batch(4, 1)[0].payload);
  CHECK(dead->front().event.fields.size() == 1);
  CHECK(dead->front().reason == "too large");
  CHECK(QueryInt(twins.fixture.path(), "SELECT count FROM c_1") == 8);
}

// The two events (seq 1 and 2) of a schema version 4 queue.db, as rows of q_1.
constexpr const char* kVersion4 = R"sql(
INSERT INTO q_1 VALUES (1, 'd', 'o', 900, 900, 0, 1, 50, '{"n":1}', x''),
  (2, 'd', 'o', 901, 901, 0, 1, 60, '{"n":2}', x'');
)sql";

TEST_CASE("chunks: rows of an earlier version are read, counted and removed with them") {
  SqliteFixture fixture;
  ExecRaw(fixture.path(), kSchemaVersion4Tables);
  ExecRaw(fixture.path(), kVersion4);
  {
    auto store = fixture.Open();
    auto batch = Batch(0, 4);  // seqs 3..6, one chunk
    REQUIRE(store->Append(batch).ok());
    CHECK(SchemaVersion(fixture.path()) == 5);
    CHECK(Seqs(*store) == std::vector<uint64_t>{1, 2, 3, 4, 5, 6});
    CHECK(Seqs(*store, 1, 2) == std::vector<uint64_t>{2, 3});
    CHECK(StatsOf(*store).oldest_ingest_ms == 900);
    const uint64_t acked[] = {2, 3};
    REQUIRE(store->Ack("telemetry", acked).ok());
    CHECK(Seqs(*store) == std::vector<uint64_t>{1, 4, 5, 6});
    CHECK(StatsOf(*store).bytes == 50 + batch[1].ByteSize() + batch[2].ByteSize() +
                                       batch[3].ByteSize());
  }
  {
    auto reader = fixture.OpenSqlite({}, /*read_only=*/true);  // `queue stats`
    CHECK(reader->Stats()->events == 4);
  }
  // The oldest go first, the row before the chunk's events: the row's 50 bytes do not make
  // room for the new event, the row and one event do.
  auto batch = Batch(0, 4);
  const uint64_t held = 50 + batch[1].ByteSize() + batch[2].ByteSize() + batch[3].ByteSize();
  auto store = fixture.Open(OneStream(Overflow::kDropOldest, held));
  auto one = Batch(10, 1);
  one[0].payload = "x";
  REQUIRE(one[0].ByteSize() > 50);
  REQUIRE(store->Append(one).ok());
  CHECK(Seqs(*store) == std::vector<uint64_t>{5, 6, 7});
  CHECK(StatsOf(*store).counters.dropped == 2);
  CHECK(QueryInt(fixture.path(), "SELECT count(*) FROM q_1") == 0);
}

TEST_CASE("chunks: a damaged chunk is an error naming it, not a crash") {
  SqliteFixture fixture;
  {
    auto store = fixture.Open();
    auto batch = Batch(0, 5);
    REQUIRE(store->Append(batch).ok());
  }
  ExecRaw(fixture.path(), "UPDATE c_1 SET data = substr(data, 1, length(data) - 3)");
  auto store = fixture.Open();
  CHECK(StatsOf(*store).events == 5);  // counted from the row
  std::vector<Event> events;
  const Status s = store->ReadAfter("telemetry", 0, 10, &events);
  CHECK(s.code() == Status::Code::kCorruption);
  CHECK(s.message().find("stream 'telemetry': chunk at seq 1") != std::string::npos);
}

TEST_CASE("chunks: a damaged chunk is removed whole by the TTL that reaches it, counted") {
  SqliteFixture fixture;
  StorePolicy policy = OneStream(Overflow::kDropOldest, 0);
  policy.streams[0].ttl_ms = 100;
  {
    auto store = fixture.Open(policy);
    auto first = Batch(0, 5), second = Batch(5, 5);  // ingest 1000..1004, 1005..1009
    REQUIRE(store->Append(first).ok());
    REQUIRE(store->Append(second).ok());
  }
  ExecRaw(fixture.path(), "UPDATE c_1 SET data = x'01ff' WHERE first_seq = 1");
  auto store = fixture.Open(policy);
  auto expired = store->Expire(SweepTime{Clock::TimePoint{}, 1102, true});  // before 1002
  REQUIRE(expired.ok());
  CHECK(*expired == 5);  // the whole damaged chunk, not only the first two
  CHECK(StatsOf(*store).counters.expired == 5);
  CHECK(Seqs(*store) == std::vector<uint64_t>{6, 7, 8, 9, 10});
}

TEST_CASE("chunks: a file of a newer schema is refused, not quarantined") {
  SqliteFixture fixture;
  (void)fixture.Open();
  ExecRaw(fixture.path(), "UPDATE meta SET value = 6 WHERE key = 'schema_version'");
  SqliteStoreOptions options;
  options.path = fixture.path();
  std::string quarantined;
  auto opened = SqliteStore::Open(options, {}, &quarantined);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().message().find("schema version 6") != std::string::npos);
  CHECK(quarantined.empty());
  CHECK(SchemaVersion(fixture.path()) == 6);
}

TEST_CASE("chunks: a kill -9 while groups are written leaves whole groups only") {
  SqliteFixture fixture;
  (void)fixture.Open();  // the schema, before the child writes
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    SqliteStoreOptions options;
    options.path = fixture.path();
    auto store = SqliteStore::Open(options, {});
    for (int group = 0; store.ok(); ++group) {
      auto batch = Batch(group * 10, 10);
      if (!(*store)->Append(batch).ok()) break;
    }
    _exit(1);
  }
  const bool written = testing::WaitUntil(
      [&] { return QueryInt(fixture.path(), "SELECT count(*) FROM c_1") >= 20; });
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(written);
  auto store = fixture.Open();
  const auto seqs = Seqs(*store);
  CHECK(seqs.size() % 10 == 0);
  CHECK(seqs.size() == StatsOf(*store).events);
  for (size_t i = 0; i < seqs.size(); ++i) CHECK(seqs[i] == i + 1);
  CHECK(QueryInt(fixture.path(), "SELECT count(*) FROM c_1 WHERE count != 10") == 0);
}

}  // namespace
}  // namespace ef::storage
