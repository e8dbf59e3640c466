// Fixtures that open each Store implementation, for suites run against both with doctest's
// TEST_CASE_TEMPLATE (so MemStore cannot drift from SqliteStore). SqliteFixture owns a fresh
// temporary folder, removed with the fixture; Open() may be called again to reopen the same
// queue.db. MemFixture keeps nothing across Open(): tests that reopen are SQLite-only.
// Used by one test thread.
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "storage/mem_store.h"
#include "tests/fakes/manual_clock.h"
#include "storage/sqlite_store.h"

namespace ef::storage {

struct SqliteFixture {
  std::filesystem::path dir;
  SqliteFixture() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ef-store-XXXXXX").string();
    dir = mkdtemp(pattern.data());
  }
  ~SqliteFixture() { std::filesystem::remove_all(dir); }
  std::string path() const { return (dir / "queue.db").string(); }
  std::unique_ptr<SqliteStore> OpenSqlite(StorePolicy policy = {}, bool read_only = false,
                                          std::string* quarantined = nullptr) {
    SqliteStoreOptions options;
    options.path = path();
    options.read_only = read_only;
    options.now_utc = "T";
    auto store = SqliteStore::Open(options, std::move(policy), quarantined);
    REQUIRE_MESSAGE(store.ok(), store.status().ToString());
    return std::move(store.value());
  }
  std::unique_ptr<Store> Open(StorePolicy policy = {}) { return OpenSqlite(std::move(policy)); }
};

struct MemFixture {
  std::unique_ptr<Store> Open(StorePolicy policy = {}) {
    return std::make_unique<MemStore>(std::move(policy));
  }
};

// The same stores in write-behind mode ([queue] persist_after_ms) with a deadline that never
// comes on their manual clock unless the test advances it (clock), so events stay in memory
// unless a bound, stage state, a dead-lettering or a reopen writes them.
struct SqliteWriteBehind : SqliteFixture {
  testing::ManualClock clock;
  static constexpr std::chrono::milliseconds kAfter{60'000};
  std::unique_ptr<Store> Open(StorePolicy policy = {}) {
    auto store = OpenSqlite(std::move(policy));
    store->PersistAfter(clock, kAfter);
    return store;
  }
};

struct MemWriteBehind {
  testing::ManualClock clock;
  static constexpr std::chrono::milliseconds kAfter{60'000};
  std::unique_ptr<Store> Open(StorePolicy policy = {}) {
    auto store = std::make_unique<MemStore>(std::move(policy));
    store->PersistAfter(clock, kAfter);
    return store;
  }
};

// A policy with one configured stream, "telemetry" (priority 10), bounded by `stream_max`
// bytes with `overflow`, and the store by `store_max`.
inline StorePolicy OneStream(Overflow overflow, uint64_t stream_max,
                             uint64_t store_max = uint64_t{1} << 30) {
  StorePolicy policy;
  policy.max_bytes = store_max;
  StreamPolicy telemetry;
  telemetry.name = "telemetry";
  telemetry.priority = 10;
  telemetry.max_bytes = stream_max;
  telemetry.overflow = overflow;
  policy.streams.push_back(telemetry);
  return policy;
}

}  // namespace ef::storage
