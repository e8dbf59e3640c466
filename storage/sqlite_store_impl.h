// Internals of SqliteStore shared by its source files (sqlite_store.cpp, dead_letters.cpp).
// Not part of the storage/ interface.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "storage/read_sizes.h"
#include "storage/sqlite_db.h"
#include "storage/sqlite_store.h"

namespace ef::storage {

// Statements of one stream's table, and the sizes of its events handed out by Read.
struct StreamTable {
  Statement insert, read_after, range_usage, remove, head, delete_up_to, usage, oldest, to_dead;
  ReadSizes read_sizes;
};

struct SqliteStore::Impl {
  Db db;
  Statement begin, commit, rollback, data_version, save_seq, add_stream, save_counters,
      count_dead;
  // Prepared by the first group that writes stage state, which creates its table
  // (stage_state.cpp); reset on rollback, which may have undone the creation.
  Statement upsert_state, erase_state;
  std::map<std::string, std::unique_ptr<StreamTable>> tables;
  // The table Table() found last (a group is mostly of one stream), spares the map lookup;
  // ForgetTable/ForgetTables keep it valid.
  std::string last_stream;
  StreamTable* last_table = nullptr;
  std::map<std::string, int64_t> stream_ids;
  std::vector<std::string> created_in_group;   // forgotten again on rollback
  std::map<std::string, StreamCounters> saved;  // counters as last written
  uint64_t saved_last_seq = UINT64_MAX;          // last_seq as last written
  int64_t last_data_version = -1;

  Status PrepareCommon();
  Result<StreamTable*> Table(const std::string& stream, bool create);
  void ForgetTable(const std::string& stream);
  void ForgetTables();
  Status Step(Statement& stmt, const char* what) { return db.Step(stmt.get(), what); }
};


// Upgrades `streams` to schema version 3 (the drain rate columns) unless it has them; at
// every read-write open, after the schema. In drain_rates.cpp.
Status AddDrainRateColumns(Db& db);

// Fills `e` (of `stream`) from a row of (seq, device, origin, event_time, ingest_time,
// quality, format, payload).
void ReadEventRow(sqlite3_stmt* row, const std::string& stream, Event* e);

}  // namespace ef::storage
