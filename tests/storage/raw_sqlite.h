// Raw SQLite access to a queue.db for storage tests: writing a file as an earlier version did,
// damaging a row, reading meta. Goes around SqliteStore on purpose. Used by one test thread.
#pragma once

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <cstdint>
#include <string>

namespace ef::storage {

// The tables of a queue.db as schema version 4 wrote them (events as rows of q_1, stream
// "telemetry" with id 1, meta's last_seq 2), without events: a test inserts its own rows.
constexpr const char* kSchemaVersion4Tables = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('last_seq', 2), ('schema_version', 4);
CREATE TABLE streams (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
  dropped INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0,
  expired INTEGER NOT NULL DEFAULT 0, dead_lettered INTEGER NOT NULL DEFAULT 0,
  drain_per_s REAL NOT NULL DEFAULT 0, drain_measured_ms INTEGER NOT NULL DEFAULT 0);
CREATE TABLE dead_letters (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL,
  stream TEXT NOT NULL, device TEXT NOT NULL, origin TEXT NOT NULL,
  event_time INTEGER NOT NULL, ingest_time INTEGER NOT NULL, quality INTEGER NOT NULL,
  format INTEGER NOT NULL, payload BLOB NOT NULL, reason TEXT NOT NULL,
  dead_time INTEGER NOT NULL, fields BLOB NOT NULL DEFAULT x'');
INSERT INTO streams (id, name) VALUES (1, 'telemetry');
CREATE TABLE q_1 (seq INTEGER PRIMARY KEY, device TEXT NOT NULL, origin TEXT NOT NULL,
  event_time INTEGER NOT NULL, ingest_time INTEGER NOT NULL, quality INTEGER NOT NULL,
  format INTEGER NOT NULL, size INTEGER NOT NULL, payload BLOB NOT NULL,
  fields BLOB NOT NULL DEFAULT x'');
)sql";

// Runs `sql` (any number of statements) on the database at `path`, creating it if needed.
inline void ExecRaw(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE_MESSAGE(rc == SQLITE_OK, message);
}

// The first column of the first row of `sql` on the database at `path` as an integer, or -1
// if it cannot be read.
inline int64_t QueryInt(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_stmt* stmt = nullptr;
  int64_t value = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    value = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

// meta's schema_version, or -1 if it cannot be read.
inline int64_t SchemaVersion(const std::string& path) {
  return QueryInt(path, "SELECT value FROM meta WHERE key = 'schema_version'");
}

}  // namespace ef::storage
