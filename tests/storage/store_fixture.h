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
  std::unique_ptr<SqliteStore> OpenSqlite(StorePolicy policy = {}, bool read_only = false) {
    SqliteStoreOptions options;
    options.path = path();
    options.read_only = read_only;
    auto store = SqliteStore::Open(options, std::move(policy));
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

}  // namespace ef::storage
