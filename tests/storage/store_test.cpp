// One suite for both Store implementations, so MemStore cannot drift from SqliteStore.
#include <doctest/doctest.h>

#include <filesystem>
#include <memory>

#include "tests/storage/store_fixture.h"

namespace ef::storage {
namespace {

Event Make(int i, std::string stream = "telemetry") {
  Event e;
  e.stream = std::move(stream);
  e.device_id = "dev-" + std::to_string(i % 3);
  e.origin = "plant/" + e.device_id + "/telemetry";
  e.ingest_time_ms = 1000 + i;
  e.event_time_ms = 1000 + i;
  e.format = PayloadFormat::kJson;
  e.payload = "{\"n\":" + std::to_string(i) + "}";
  return e;
}

std::vector<Event> MakeBatch(int first, int count, const std::string& stream = "telemetry") {
  std::vector<Event> out;
  for (int i = first; i < first + count; ++i) out.push_back(Make(i, stream));
  return out;
}

std::vector<uint64_t> Seqs(Store& store, const std::string& stream) {
  std::vector<Event> events;
  REQUIRE(store.ReadAfter(stream, 0, 100000, &events).ok());
  std::vector<uint64_t> out;
  for (const Event& e : events) out.push_back(e.seq);
  return out;
}

StreamStats StatsOf(Store& store, const std::string& stream) {
  auto stats = store.Stats();
  REQUIRE(stats.ok());
  for (const StreamStats& s : stats->streams) {
    if (s.stream == stream) return s;
  }
  return StreamStats{};
}

// Each event of MakeBatch is accounted as payload + strings + 40 bytes: about 85 bytes.
constexpr uint64_t kEventBytes = 85;

TEST_CASE_TEMPLATE("a store keeps each stream in sequence order until acked", Fixture,
                   SqliteFixture, MemFixture, SqliteWriteBehind, MemWriteBehind) {
  Fixture fixture;
  auto store = fixture.Open();
  auto batch = MakeBatch(0, 6);
  batch[1].stream = "alerts";
  batch[4].stream = "alerts";
  REQUIRE(store->Append(batch).ok());
  for (size_t i = 0; i < batch.size(); ++i) CHECK(batch[i].seq == i + 1);
  CHECK(Seqs(*store, "telemetry") == std::vector<uint64_t>{1, 3, 4, 6});
  CHECK(Seqs(*store, "alerts") == std::vector<uint64_t>{2, 5});

  std::vector<Event> read;
  REQUIRE(store->ReadAfter("telemetry", 3, 1, &read).ok());
  REQUIRE(read.size() == 1);
  CHECK(read[0].seq == 4);
  CHECK(read[0].payload == "{\"n\":3}");
  CHECK(read[0].device_id == "dev-0");
  CHECK(read[0].stream == "telemetry");

  const std::vector<uint64_t> acked = {1, 4, 99};
  REQUIRE(store->Ack("telemetry", acked).ok());
  CHECK(Seqs(*store, "telemetry") == std::vector<uint64_t>{3, 6});
  auto stats = store->Stats();
  REQUIRE(stats.ok());
  CHECK(stats->events == 4);
  CHECK(stats->last_seq == 6);
  CHECK(StatsOf(*store, "telemetry").oldest_ingest_ms == 1002);
  const auto backlog = store->Backlog();
  REQUIRE(backlog.size() == 2);
  CHECK(backlog[0].stream == "alerts");
  CHECK(backlog[0].events == 2);
}

TEST_CASE("sequence numbers and counters survive a reopen, even of an emptied queue") {
  SqliteFixture fixture;
  {
    auto store = fixture.Open(OneStream(Overflow::kRejectNew, kEventBytes * 3));
    auto batch = MakeBatch(0, 5);
    REQUIRE(store->Append(batch).ok());  // 3 stored, 2 rejected
    const std::vector<uint64_t> all = {1, 2, 3};
    REQUIRE(store->Ack("telemetry", all).ok());
  }
  auto store = fixture.Open();
  auto batch = MakeBatch(5, 2);
  REQUIRE(store->Append(batch).ok());
  CHECK(batch[0].seq == 4);
  CHECK(batch[1].seq == 5);
  CHECK(StatsOf(*store, "telemetry").counters.rejected == 2);
  CHECK(StatsOf(*store, "telemetry").events == 2);
}

TEST_CASE("unacked events survive a reopen") {
  SqliteFixture fixture;
  {
    auto store = fixture.Open();
    auto batch = MakeBatch(0, 3);
    REQUIRE(store->Append(batch).ok());
  }
  auto store = fixture.Open();
  CHECK(Seqs(*store, "telemetry").size() == 3);
  CHECK(store->Stats()->events == 3);
}

// The bytes the stored events of `stream` account for, as Stats must report them.
uint64_t StoredBytes(Store& store, const std::string& stream) {
  std::vector<Event> events;
  REQUIRE(store.ReadAfter(stream, 0, 100000, &events).ok());
  uint64_t bytes = 0;
  for (const Event& e : events) bytes += e.ByteSize();
  return bytes;
}

TEST_CASE_TEMPLATE("acks free exactly the bytes of what they removed, read or not", Fixture,
                   SqliteFixture, MemFixture, SqliteWriteBehind, MemWriteBehind) {
  Fixture fixture;
  auto store = fixture.Open(OneStream(Overflow::kDropOldest, kEventBytes * 11));
  auto batch = MakeBatch(0, 10);
  batch[6].payload += std::string(40, 'x');  // sizes differ: an average would not do
  REQUIRE(store->Append(batch).ok());
  std::vector<Event> read;
  REQUIRE(store->ReadAfter("telemetry", 0, 6, &read).ok());  // 1..6 read, 7..10 not
  const std::vector<uint64_t> first = {3, 2, 3, 99};  // unordered, a duplicate, unknown
  REQUIRE(store->Ack("telemetry", first).ok());
  CHECK(StatsOf(*store, "telemetry").bytes == StoredBytes(*store, "telemetry"));
  const std::vector<uint64_t> across = {5, 6, 7, 8};  // read and unread in one run
  REQUIRE(store->Ack("telemetry", across).ok());
  CHECK(StatsOf(*store, "telemetry").bytes == StoredBytes(*store, "telemetry"));
  auto more = MakeBatch(10, 9);  // the bound drops the oldest (1 and 4, both read)
  REQUIRE(store->Append(more).ok());
  CHECK(StatsOf(*store, "telemetry").counters.dropped == 2);
  const std::vector<uint64_t> dropped_and_one = {1, 4, 9};
  REQUIRE(store->Ack("telemetry", dropped_and_one).ok());
  CHECK(StatsOf(*store, "telemetry").events == Seqs(*store, "telemetry").size());
  CHECK(StatsOf(*store, "telemetry").bytes == StoredBytes(*store, "telemetry"));
}

TEST_CASE_TEMPLATE("drop_oldest makes room by dropping the oldest, and counts them", Fixture,
                   SqliteFixture, MemFixture, SqliteWriteBehind, MemWriteBehind) {
  Fixture fixture;
  auto store = fixture.Open(OneStream(Overflow::kDropOldest, kEventBytes * 4));
  auto batch = MakeBatch(0, 10);
  REQUIRE(store->Append(batch).ok());
  CHECK(Seqs(*store, "telemetry") == std::vector<uint64_t>{7, 8, 9, 10});
  CHECK(StatsOf(*store, "telemetry").counters.dropped == 6);
  for (const Event& e : batch) CHECK(e.seq != 0);
}

TEST_CASE_TEMPLATE("reject_new keeps what is stored and counts what it refused", Fixture,
                   SqliteFixture, MemFixture, SqliteWriteBehind, MemWriteBehind) {
  Fixture fixture;
  auto store = fixture.Open(OneStream(Overflow::kRejectNew, kEventBytes * 4));
  auto batch = MakeBatch(0, 10);
  REQUIRE(store->Append(batch).ok());
  CHECK(Seqs(*store, "telemetry") == std::vector<uint64_t>{1, 2, 3, 4});
  CHECK(StatsOf(*store, "telemetry").counters.rejected == 6);
  CHECK(batch[4].seq == 0);
}

TEST_CASE_TEMPLATE("backpressure refuses the whole group, retryably, and stores nothing of it",
                   Fixture, SqliteFixture, MemFixture, SqliteWriteBehind, MemWriteBehind) {
  Fixture fixture;
  auto store = fixture.Open(OneStream(Overflow::kBackpressure, kEventBytes * 4));
  auto first = MakeBatch(0, 3);
  REQUIRE(store->Append(first).ok());
  auto second = MakeBatch(3, 3);
  Status s = store->Append(second);
  CHECK(s.retryable());
  CHECK(Seqs(*store, "telemetry").size() == 3);
  const std::vector<uint64_t> acked = {1, 2};
  REQUIRE(store->Ack("telemetry", acked).ok());
  REQUIRE(store->Append(second).ok());  // drained: the same group now fits
  CHECK(second[0].seq == 4);
}

TEST_CASE_TEMPLATE("the store bound evicts the lowest priority stream first", Fixture,
                   SqliteFixture, MemFixture, SqliteWriteBehind, MemWriteBehind) {
  Fixture fixture;
  StorePolicy policy = OneStream(Overflow::kDropOldest, 0, kEventBytes * 6);
  StreamPolicy alerts;
  alerts.name = "alerts";
  alerts.priority = 100;
  policy.streams.push_back(alerts);
  auto store = fixture.Open(policy);
  auto telemetry = MakeBatch(0, 6);
  REQUIRE(store->Append(telemetry).ok());
  auto urgent = MakeBatch(0, 2, "alerts");
  REQUIRE(store->Append(urgent).ok());
  CHECK(Seqs(*store, "alerts").size() == 2);
  CHECK(Seqs(*store, "telemetry").size() == 4);
  CHECK(StatsOf(*store, "telemetry").counters.dropped == 2);
}

TEST_CASE_TEMPLATE("events older than their stream's TTL expire and are counted", Fixture,
                   SqliteFixture, MemFixture, SqliteWriteBehind, MemWriteBehind) {
  Fixture fixture;
  StorePolicy policy = OneStream(Overflow::kDropOldest, 0);
  policy.streams[0].ttl_ms = 100;
  auto store = fixture.Open(policy);
  auto batch = MakeBatch(0, 10);  // ingest times 1000..1009
  REQUIRE(store->Append(batch).ok());
  // At the first sweep, with the clock synchronised, events queued before are as old as the
  // wall clock says: cutoff 1005, so 1000..1004 go.
  auto expired = store->Expire(SweepTime{Clock::TimePoint{}, 1105, true});
  REQUIRE(expired.ok());
  CHECK(*expired == 5);
  CHECK(Seqs(*store, "telemetry") == std::vector<uint64_t>{6, 7, 8, 9, 10});
  CHECK(StatsOf(*store, "telemetry").counters.expired == 5);
}

TEST_CASE_TEMPLATE("dead letters leave the queue and are counted", Fixture, SqliteFixture,
                   MemFixture, SqliteWriteBehind, MemWriteBehind) {
  Fixture fixture;
  auto store = fixture.Open();
  auto batch = MakeBatch(0, 3);
  REQUIRE(store->Append(batch).ok());
  const std::vector<uint64_t> refused = {2};
  REQUIRE(store->DeadLetter("telemetry", refused, "too large", 5000).ok());
  CHECK(Seqs(*store, "telemetry") == std::vector<uint64_t>{1, 3});
  CHECK(StatsOf(*store, "telemetry").counters.dead_lettered == 1);
  CHECK(store->Stats()->dead_letters == 1);
}

TEST_CASE_TEMPLATE("a full disk applies the overflow policy instead of failing", Fixture,
                   SqliteFixture, MemFixture, SqliteWriteBehind, MemWriteBehind) {
  Fixture fixture;
  auto store = fixture.Open(OneStream(Overflow::kDropOldest, 0));
  auto batch = MakeBatch(0, 50);
  REQUIRE(store->Append(batch).ok());
  if constexpr (std::is_same_v<Fixture, MemFixture>) {
    static_cast<MemStore&>(*store).FailNextInserts(1, true);
    auto more = MakeBatch(50, 10);
    REQUIRE(store->Append(more).ok());
    CHECK(StatsOf(*store, "telemetry").counters.dropped > 0);
    CHECK(Seqs(*store, "telemetry").back() == 60);
  }
}

TEST_CASE("a file size limit is a bound: drop_oldest keeps the newest") {
  SqliteFixture fixture;
  SqliteStoreOptions options;
  options.path = (fixture.dir / "queue.db").string();
  options.max_file_bytes = 256 * 1024;
  auto opened = SqliteStore::Open(options, OneStream(Overflow::kDropOldest, 0));
  REQUIRE(opened.ok());
  Store& store = **opened;
  uint64_t accepted = 0;
  uint32_t noise = 1;
  for (int group = 0; group < 60; ++group) {
    auto batch = MakeBatch(group * 100, 100);
    // Payloads that do not compress (events are stored compressed, in chunks).
    for (Event& e : batch) {
      e.payload.resize(200);
      for (char& c : e.payload) {
        noise = noise * 1103515245 + 12345;
        c = static_cast<char>('a' + (noise >> 16) % 26);
      }
    }
    REQUIRE(store.Append(batch).ok());
    for (const Event& e : batch) accepted += e.seq != 0 ? 1 : 0;
  }
  const StreamStats s = StatsOf(store, "telemetry");
  CHECK(s.counters.dropped + s.counters.rejected > 0);
  CHECK(s.events + s.counters.dropped + s.counters.rejected == 6000);  // all accounted for
  CHECK(Seqs(store, "telemetry").back() == accepted);  // the newest is kept
}

TEST_CASE("a damaged database is moved aside and a fresh one created") {
  SqliteFixture fixture;
  const auto path = fixture.dir / "queue.db";
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::fputs("this is not a database, just garbage bytes of the right length.......", f);
    std::fclose(f);
  }
  SqliteStoreOptions options;
  options.path = path.string();
  options.now_utc = "20261128T000000Z";
  std::string quarantined;
  auto store = SqliteStore::Open(options, StorePolicy{}, &quarantined);
  REQUIRE(store.ok());
  CHECK(quarantined.find("queue.db.corrupt-20261128T000000Z") != std::string::npos);
  CHECK(std::filesystem::exists(fixture.dir / "queue.db.corrupt-20261128T000000Z"));
  auto batch = MakeBatch(0, 2);
  CHECK((*store)->Append(batch).ok());
}

TEST_CASE("a truncated database is moved aside too") {
  SqliteFixture fixture;
  const auto path = fixture.dir / "queue.db";
  {
    auto store = fixture.Open();
    for (int i = 0; i < 20; ++i) {
      auto batch = MakeBatch(i * 100, 100);
      REQUIRE(store->Append(batch).ok());
    }
  }
  std::filesystem::remove(fixture.dir / "queue.db-wal");
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  SqliteStoreOptions options;
  options.path = path.string();
  options.now_utc = "T";
  std::string quarantined;
  auto store = SqliteStore::Open(options, StorePolicy{}, &quarantined);
  REQUIRE(store.ok());
  CHECK_FALSE(quarantined.empty());
}

TEST_CASE("a read-only store sees what the writer committed, counters included") {
  SqliteFixture fixture;
  auto writer = fixture.Open(OneStream(Overflow::kRejectNew, kEventBytes * 2));
  auto batch = MakeBatch(0, 3);
  REQUIRE(writer->Append(batch).ok());
  SqliteStoreOptions options;
  options.path = (fixture.dir / "queue.db").string();
  options.read_only = true;
  auto reader = SqliteStore::Open(options, StorePolicy{});
  REQUIRE(reader.ok());
  CHECK(StatsOf(**reader, "telemetry").events == 2);
  CHECK(StatsOf(**reader, "telemetry").counters.rejected == 1);
  auto more = MakeBatch(3, 1);
  const std::vector<uint64_t> ack = {1};
  REQUIRE(writer->Ack("telemetry", ack).ok());
  REQUIRE(writer->Append(more).ok());
  CHECK(StatsOf(**reader, "telemetry").events == 2);
  CHECK((*reader)->Stats()->last_seq == 3);
}

TEST_CASE("dead letters can be listed, replayed with new sequence numbers, and purged") {
  SqliteFixture fixture;
  SqliteStoreOptions options;
  options.path = (fixture.dir / "queue.db").string();
  auto opened = SqliteStore::Open(options, StorePolicy{});
  REQUIRE(opened.ok());
  SqliteStore& store = **opened;
  auto batch = MakeBatch(0, 3);
  REQUIRE(store.Append(batch).ok());
  const std::vector<uint64_t> refused = {1, 2};
  REQUIRE(store.DeadLetter("telemetry", refused, "too large", 5000).ok());
  auto rows = store.ListDeadLetters(10);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 2);
  CHECK((*rows)[0].event.seq == 1);
  CHECK((*rows)[0].reason == "too large");
  CHECK((*rows)[0].event.payload == "{\"n\":0}");

  auto replayed = store.ReplayDeadLetters({(*rows)[0].id});
  REQUIRE(replayed.ok());
  CHECK(*replayed == 1);
  CHECK(Seqs(store, "telemetry") == std::vector<uint64_t>{3, 4});
  auto purged = store.PurgeDeadLetters({});
  REQUIRE(purged.ok());
  CHECK(*purged == 1);
  CHECK(store.Stats()->dead_letters == 0);
}

TEST_CASE("a replay by another process is seen by the running store: no sequence reused") {
  SqliteFixture fixture;
  auto daemon = fixture.Open();
  auto batch = MakeBatch(0, 2);
  REQUIRE(daemon->Append(batch).ok());
  const std::vector<uint64_t> refused = {1};
  REQUIRE(daemon->DeadLetter("telemetry", refused, "refused", 1).ok());
  {
    SqliteStoreOptions options;
    options.path = (fixture.dir / "queue.db").string();
    auto admin = SqliteStore::Open(options, StorePolicy{});
    REQUIRE(admin.ok());
    auto replayed = (*admin)->ReplayDeadLetters({});
    REQUIRE(replayed.ok());
    CHECK(*replayed == 1);  // now seq 3
  }
  auto more = MakeBatch(2, 1);
  REQUIRE(daemon->Append(more).ok());
  CHECK(more[0].seq == 4);
  CHECK(Seqs(*daemon, "telemetry") == std::vector<uint64_t>{2, 3, 4});
  CHECK(daemon->Stats()->events == 3);
}

TEST_CASE("a binary payload with NUL bytes round-trips through SQLite") {
  SqliteFixture fixture;
  auto store = fixture.Open();
  std::vector<Event> batch = {Make(0)};
  batch[0].payload = std::string("\0\x01\xff", 3);
  batch[0].format = PayloadFormat::kBinary;
  REQUIRE(store->Append(batch).ok());
  std::vector<Event> read;
  REQUIRE(store->ReadAfter("telemetry", 0, 10, &read).ok());
  REQUIRE(read.size() == 1);
  CHECK(read[0].payload == std::string("\0\x01\xff", 3));
  CHECK(read[0].format == PayloadFormat::kBinary);
}

}  // namespace
}  // namespace ef::storage
