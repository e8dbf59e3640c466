// Internals of SqliteStore shared by its source files (sqlite_store.cpp, dead_letters.cpp).
// Not part of the storage/ interface.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/chunk_codec.h"
#include "storage/chunk_table.h"
#include "storage/read_sizes.h"
#include "storage/seq_lease.h"
#include "storage/sqlite_db.h"
#include "storage/sqlite_store.h"

namespace ef::storage {

// One stream's storage: its chunks (c_<id>, where events are written since schema version 5)
// and, when the file has it, its table of rows written before (q_<id>: `legacy`), with that
// table's statements and the sizes of its rows handed out by Read.
struct StreamTable {
  std::unique_ptr<ChunkTable> chunks;
  bool legacy = false;
  Statement read_after, range_usage, remove, head, delete_up_to, usage, to_dead;
  ReadSizes read_sizes;
};

struct SqliteStore::Impl {
  Db db;
  Statement begin, commit, rollback, data_version, save_seq, add_stream, save_counters,
      count_dead;
  // "fields", or x'' when a read-only opener finds a file older than the fields column.
  std::string fields_column = "fields";
  bool legacy_read_only() const { return fields_column != "fields"; }
  std::string fields_buffer;  // encodes fields for a dead letter row
  ChunkCodec codec;
  // Streams with something of the current group pending in their ChunkTable (events, a
  // trimmed head chunk): written at Commit, dropped at Rollback.
  std::vector<StreamTable*> buffered;
  void NotePending(StreamTable* table) {
    if (table->chunks->pending() &&
        std::find(buffered.begin(), buffered.end(), table) == buffered.end()) {
      buffered.push_back(table);
    }
  }
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
  SeqLease lease;  // read-write opens only: the high-water mark beside the file
  // Flash wear (storage_writes.cpp): the daemon's latest figure, whether it still has to be
  // stored, and the as_of_ms of the one stored last.
  StorageWrites writes;
  bool writes_noted = false;
  int64_t writes_stored_ms = 0;
  // Inside SaveState: stores the noted figure if due (`seq_written`: the group writes the meta
  // page anyway).
  Status SaveWritesIfDue(bool seq_written);

  Status PrepareCommon();
  // Writes the group's events of `table` as a chunk now: before any other primitive reads or
  // removes that stream's events within the group.
  Status FlushChunk(StreamTable& table) { return table.chunks->Flush(); }
  // Inserts `e`, a stored event (with its seq), into dead_letters. In dead_letters.cpp.
  Status InsertStoredDeadLetter(const Event& e, const std::string& reason, int64_t now_ms);
  Result<StreamTable*> Table(const std::string& stream, bool create);
  void ForgetTable(const std::string& stream);
  void ForgetTables();
  Status Step(Statement& stmt, const char* what) { return db.Step(stmt.get(), what); }
};


// Brings a database written by an earlier version to the current schema (version 5), in one
// write transaction; at every read-write open, after sql::kSchema. In schema_upgrade.cpp.
Status UpgradeSchema(Db& db);
// Whether dead_letters (and so every stream table) has the fields column (version 4); a
// read-only opener of an older file reads x'' instead. In schema_upgrade.cpp.
Result<bool> HasFieldsColumn(Db& db);
// Version 3: adds the drain rate columns to `streams` unless it has them. REQUIRES: inside
// UpgradeSchema's transaction. In drain_rates.cpp.
Status AddDrainRateColumns(Db& db);

// `pattern` (from sql.h) with "%T" replaced by `table` and "%F" by `fields_column`.
std::string FillIn(const char* pattern, std::string_view table,
                   std::string_view fields_column = "fields");

// The `quality` column: Event::quality, and Event::clock_unsynced in kUnsyncedBit (sql.h).
inline constexpr int kUnsyncedBit = 0x10;
// ... and Event::time_from_payload in kPayloadTimeBit.
inline constexpr int kPayloadTimeBit = 0x20;
int QualityColumn(const Event& e);
inline bool UnsyncedInQualityColumn(int column) { return (column & kUnsyncedBit) != 0; }

// Fills `e` (of `stream`) from the event columns of `row` starting at `first` (the layout in
// sql.h). Fields that do not decode leave `e->fields` empty and mark it Quality::kBad: the
// event and its payload are still delivered (a Corruption status would stop its stream at
// this row for good, since what cannot be read cannot be acked or dead-lettered either).
void ReadEventRow(sqlite3_stmt* row, int first, const std::string& stream, Event* e);
// Binds the encoding of `fields` (built in `buffer`, which must outlive the step).
void BindFields(sqlite3_stmt* stmt, int index, const std::vector<Field>& fields,
                std::string* buffer);

}  // namespace ef::storage
