// Internals of SqliteStore shared by its source files (sqlite_store.cpp, dead_letters.cpp).
// Not part of the storage/ interface.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/sqlite_db.h"
#include "storage/sqlite_store.h"

namespace ef::storage {

// Statements of one stream's table.
struct StreamTable {
  Statement insert, read_after, range_usage, remove, head, delete_up_to, usage, oldest, to_dead;
};

struct SqliteStore::Impl {
  Db db;
  Statement begin, commit, rollback, data_version, save_seq, add_stream, save_counters,
      count_dead;
  std::map<std::string, std::unique_ptr<StreamTable>> tables;
  std::map<std::string, int64_t> stream_ids;
  std::vector<std::string> created_in_group;   // forgotten again on rollback
  std::map<std::string, StreamCounters> saved;  // counters as last written
  uint64_t saved_last_seq = UINT64_MAX;          // last_seq as last written
  // Sizes of events handed out by Read and not yet acked, so that an ack of them needs no
  // query to know how many bytes it frees. Bounded; cleared when it grows too large.
  std::unordered_map<uint64_t, uint64_t> read_sizes;
  int64_t last_data_version = -1;

  Status PrepareCommon();
  Result<StreamTable*> Table(const std::string& stream, bool create);
  Status Step(Statement& stmt, const char* what) { return db.Step(stmt.get(), what); }
};


// Upgrades `streams` to schema version 3 (the drain rate columns) unless it has them; at
// every read-write open, after the schema. In drain_rates.cpp.
Status AddDrainRateColumns(Db& db);

// An event from a row of (seq, device, origin, event_time, ingest_time, quality, format,
// payload).
Event ReadEventRow(sqlite3_stmt* row, const std::string& stream);

}  // namespace ef::storage
