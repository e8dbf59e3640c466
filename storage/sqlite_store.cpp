#include "storage/sqlite_store.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "storage/sql.h"
#include "storage/sqlite_store_impl.h"

namespace ef::storage {

Status SqliteStore::Impl::PrepareCommon() {
  Result<bool> has_fields = HasFieldsColumn(db);
  if (!has_fields.ok()) return has_fields.status();
  if (!*has_fields) fields_column = "x''";
  const std::pair<const char*, Statement*> statements[] = {
      {sql::kBegin, &begin},          {sql::kCommit, &commit},
      {sql::kRollback, &rollback},    {sql::kDataVersion, &data_version},
      {sql::kSaveLastSeq, &save_seq}, {sql::kAddStream, &add_stream},
      {sql::kSaveCounters, &save_counters}, {sql::kCountDeadLetters, &count_dead}};
  for (const auto& [text, stmt] : statements) {
    if (Status s = db.Prepare(text, stmt); !s.ok()) return s;
  }
  return Status::Ok();
}

Result<StreamTable*> SqliteStore::Impl::Table(const std::string& stream, bool create) {
  if (last_table != nullptr && stream == last_stream) return last_table;
  if (auto it = tables.find(stream); it != tables.end()) {
    last_stream = stream;
    return last_table = it->second.get();
  }
  auto id = stream_ids.find(stream);
  if (id == stream_ids.end()) {
    if (!create) return static_cast<StreamTable*>(nullptr);
    BindText(add_stream.get(), 1, stream);
    if (Status s = Step(add_stream, "add stream"); !s.ok()) return s;
    id = stream_ids.emplace(stream, sqlite3_last_insert_rowid(db.handle())).first;
    created_in_group.push_back(stream);
  }
  auto table = std::make_unique<StreamTable>();
  const std::string id_text = std::to_string(id->second);
  table->chunks = std::make_unique<ChunkTable>(&db, &codec, stream, "c_" + id_text);
  if (Status s = table->chunks->Open(create); !s.ok()) return s;
  // Rows written before schema version 5, if the file has them: read and removed with the
  // chunks, never written any more.
  const std::string name = "q_" + id_text;
  Statement exists;
  if (Status s = db.Prepare(sql::kTableExists, &exists); !s.ok()) return s;
  BindText(exists.get(), 1, name);
  table->legacy =
      sqlite3_step(exists.get()) == SQLITE_ROW && sqlite3_column_int(exists.get(), 0) > 0;
  const std::pair<const char*, Statement*> statements[] = {
      {sql::kReadAfter, &table->read_after},   {sql::kDelete, &table->remove},
      {sql::kHead, &table->head},              {sql::kRangeUsage, &table->range_usage},
      {sql::kDeleteUpTo, &table->delete_up_to}, {sql::kUsage, &table->usage},
      {sql::kToDeadLetters, &table->to_dead}};
  for (const auto& [text, stmt] : statements) {
    // A file older than the fields column, opened read-only, cannot write events anyway.
    if (!table->legacy || (legacy_read_only() && stmt == &table->to_dead)) continue;
    if (Status s = db.Prepare(FillIn(text, name, fields_column), stmt); !s.ok()) return s;
  }
  last_stream = stream;
  return last_table = (tables[stream] = std::move(table)).get();
}

void SqliteStore::Impl::ForgetTable(const std::string& stream) {
  auto it = tables.find(stream);
  if (it == tables.end()) return;
  std::erase(buffered, it->second.get());
  tables.erase(it);
  last_table = nullptr;
}

void SqliteStore::Impl::ForgetTables() {
  buffered.clear();  // REQUIRES: no group in progress wrote events (LoadState: Begin or Open)
  tables.clear();
  last_table = nullptr;
}

namespace {

constexpr uint64_t kPageSize = 4096;  // SQLite's default page size

// max_file_bytes, or else what the file system has room for (with what the queue already
// uses), less a tenth for the rest of the system.
uint64_t FileBound(const SqliteStoreOptions& options) {
  if (options.max_file_bytes > 0) return options.max_file_bytes;
  const std::filesystem::path path(options.path);
  std::error_code ec;
  const auto space = std::filesystem::space(path.parent_path().empty() ? "." : path.parent_path(), ec);
  if (ec) return uint64_t{1} << 40;
  uint64_t used = 0;
  for (const char* suffix : {"", "-wal"}) {
    const auto size = std::filesystem::file_size(options.path + suffix, ec);
    if (!ec) used += size;
  }
  return (static_cast<uint64_t>(space.available) + used) / 10 * 9;
}

Status Configure(Db& db, const SqliteStoreOptions& options) {
  if (options.read_only) return Status::Ok();
  const std::string sync = options.durability == Durability::kFull ? "PRAGMA synchronous=FULL"
                                                                   : "PRAGMA synchronous=NORMAL";
  // secure_delete FAST (Debian builds SQLite with it ON): a freed page is not zeroed and
  // written again when no other content shares it; a chunk's overflow pages would be.
  for (const std::string& pragma :
       {std::string("PRAGMA journal_mode=WAL"), sync, std::string("PRAGMA secure_delete=FAST")}) {
    if (Status s = db.Exec(pragma.c_str(), options.path); !s.ok()) return s;
  }
  // The bound covers the WAL too: it is checkpointed (and truncated) at an eighth of the
  // bound, so a small disk never fills with WAL that no checkpoint could make room for.
  const uint64_t bound = FileBound(options);
  const uint64_t wal_pages = std::clamp<uint64_t>(bound / kPageSize / 8, 16, 1000);
  const uint64_t db_pages = std::max<uint64_t>(
      (bound > 2 * wal_pages * kPageSize ? bound - 2 * wal_pages * kPageSize : 0) / kPageSize, 32);
  for (const std::string& pragma :
       {"PRAGMA wal_autocheckpoint=" + std::to_string(wal_pages),
        "PRAGMA journal_size_limit=" + std::to_string(wal_pages * kPageSize),
        "PRAGMA max_page_count=" + std::to_string(db_pages)}) {
    if (Status s = db.Exec(pragma.c_str(), options.path); !s.ok()) return s;
  }
  if (Status s = db.QuickCheck(); !s.ok()) return s;
  if (Status s = db.Exec(sql::kSchema, "create schema"); !s.ok()) return s;
  return UpgradeSchema(db);
}

// Moves a damaged database (and its WAL and shared-memory files) out of the way.
std::string Quarantine(const SqliteStoreOptions& options) {
  const std::string aside = options.path + ".corrupt-" + options.now_utc;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    std::filesystem::rename(options.path + suffix, aside + suffix, ec);
  }
  return aside;
}

}  // namespace

// A fresh database (quarantined, deleted) continues above the lease beside it, and after a
// quarantine also above `wall_floor`: the damaged file's numbers are unknown, and consumers
// deduplicating by seq must never drop new events as old ones.
static Status RaiseSeqFloor(Db& db, uint64_t lease, uint64_t wall_floor, bool quarantined) {
  Result<int64_t> last = db.SelectInt(sql::kLoadLastSeq, "load sequence");
  if (!last.ok()) return last.status();
  const uint64_t floor = quarantined ? std::max(lease, wall_floor) : lease;
  if (*last != 0 || floor == 0) return Status::Ok();
  const std::string raise = "UPDATE meta SET value = max(value, " + std::to_string(floor) +
                            ") WHERE key = 'last_seq'";
  return db.Exec(raise.c_str(), "raise sequence for a fresh queue");
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteStoreOptions& options,
                                                       StorePolicy policy,
                                                       std::string* quarantined) {
  auto impl = std::make_unique<Impl>();
  Status s = impl->db.Open(options.path, options.read_only);
  if (s.ok()) s = Configure(impl->db, options);
  const bool damaged = s.code() == Status::Code::kCorruption && !options.read_only;
  if (damaged) {
    impl->db.Close();
    const std::string aside = Quarantine(options);
    if (quarantined != nullptr) *quarantined = aside + " (" + s.message() + ")";
    s = impl->db.Open(options.path, false);
    if (s.ok()) s = Configure(impl->db, options);
  }
  if (s.ok() && !options.read_only) {
    impl->lease = SeqLease(options.path + ".seq");
    s = RaiseSeqFloor(impl->db, impl->lease.Load(), options.seq_floor, damaged);
  }
  if (s.ok()) s = impl->PrepareCommon();
  if (!s.ok()) return s;
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(policy), std::move(impl)));
  if (Status loaded = store->Reload(); !loaded.ok()) return loaded;
  store->ChangedElsewhere();  // take the current data version as the baseline
  return store;
}

SqliteStore::SqliteStore(StorePolicy policy, std::unique_ptr<Impl> impl)
    : QueueStore(std::move(policy)), impl_(std::move(impl)) {}

// Pending events (write-behind) are written before the database closes; if that fails they
// are lost as in a crash.
SqliteStore::~SqliteStore() { (void)PersistPending(); }

Status SqliteStore::Begin() {
  impl_->created_in_group.clear();
  return impl_->Step(impl_->begin, "begin");
}

// The group's chunks are written first: a failure (a full disk) fails the group as a failed
// insert did, and the caller rolls it back.
Status SqliteStore::Commit() {
  for (StreamTable* table : impl_->buffered) {
    if (Status s = impl_->FlushChunk(*table); !s.ok()) return s;
  }
  impl_->buffered.clear();
  return impl_->Step(impl_->commit, "commit");
}

void SqliteStore::Rollback() {
  (void)impl_->Step(impl_->rollback, "rollback");
  for (StreamTable* table : impl_->buffered) table->chunks->DropPending();
  impl_->buffered.clear();
  // A rewritten chunk is undone: decode again what is read next.
  for (auto& [name, table] : impl_->tables) table->chunks->Invalidate();
  for (const std::string& stream : impl_->created_in_group) {
    impl_->ForgetTable(stream);
    impl_->stream_ids.erase(stream);
  }
  impl_->created_in_group.clear();
  impl_->upsert_state.reset();
  impl_->erase_state.reset();
  impl_->saved.clear();  // what was "saved" in the group is gone: write all again next time
  impl_->saved_last_seq = UINT64_MAX;
  impl_->writes_noted = impl_->writes.as_of_ms != 0;  // stored again with the next group
}

bool SqliteStore::IsFull(const Status& status) const { return IsFullStatus(status); }

// Autocheckpoints run only after a commit: if the last one could not copy every frame back
// (a reader held an older snapshot), the next group appends to the WAL, finds the disk full,
// and no commit ever comes to checkpoint again. TRUNCATE copies the frames back into pages
// the file already has and gives the WAL's space to the file system.
void SqliteStore::ReclaimJournal() {
  (void)impl_->db.Exec("PRAGMA wal_checkpoint(TRUNCATE)", "checkpoint after a full disk");
}

Status SqliteStore::SaveState(uint64_t last_seq,
                              const std::map<std::string, StreamCounters>& counters) {
  const bool seq_changed = last_seq != impl_->saved_last_seq;
  if (seq_changed) {  // acks and expiries leave it unchanged
    // Seqs reserved ahead (write-behind) are handed out before any insert covers them.
    if (Status s = impl_->lease.Cover(last_seq); !s.ok()) return s;
    sqlite3_bind_int64(impl_->save_seq.get(), 1, static_cast<sqlite3_int64>(last_seq));
    if (Status s = impl_->Step(impl_->save_seq, "save sequence"); !s.ok()) return s;
  }
  if (Status s = impl_->SaveWritesIfDue(seq_changed); !s.ok()) return s;
  for (const auto& [stream, c] : counters) {
    const StreamCounters& was = impl_->saved[stream];
    if (c.dropped == was.dropped && c.rejected == was.rejected && c.expired == was.expired &&
        c.dead_lettered == was.dead_lettered) {
      continue;
    }
    if (Result<StreamTable*> t = impl_->Table(stream, true); !t.ok()) return t.status();
    sqlite3_stmt* save = impl_->save_counters.get();
    BindText(save, 1, stream);
    sqlite3_bind_int64(save, 2, static_cast<sqlite3_int64>(c.dropped));
    sqlite3_bind_int64(save, 3, static_cast<sqlite3_int64>(c.rejected));
    sqlite3_bind_int64(save, 4, static_cast<sqlite3_int64>(c.expired));
    sqlite3_bind_int64(save, 5, static_cast<sqlite3_int64>(c.dead_lettered));
    if (Status s = impl_->db.Step(save, "save counters"); !s.ok()) return s;
  }
  impl_->saved = counters;  // if the group rolls back, the next one writes them again
  impl_->saved_last_seq = last_seq;
  return Status::Ok();
}

Status SqliteStore::LoadState(std::map<std::string, Usage>* usage,
                              std::map<std::string, StreamCounters>* counters,
                              uint64_t* last_seq) {
  Db& db = impl_->db;
  Statement load_seq, load_streams;
  if (Status s = db.Prepare(sql::kLoadLastSeq, &load_seq); !s.ok()) return s;
  if (sqlite3_step(load_seq.get()) == SQLITE_ROW) {
    *last_seq = static_cast<uint64_t>(sqlite3_column_int64(load_seq.get(), 0));
  }
  if (Status s = db.Prepare(sql::kLoadStreams, &load_streams); !s.ok()) return s;
  impl_->ForgetTables();
  impl_->stream_ids.clear();
  int rc;
  while ((rc = sqlite3_step(load_streams.get())) == SQLITE_ROW) {
    sqlite3_stmt* row = load_streams.get();
    const std::string name = ColumnText(row, 1);
    impl_->stream_ids[name] = sqlite3_column_int64(row, 0);
    StreamCounters& c = (*counters)[name];
    c.dropped = static_cast<uint64_t>(sqlite3_column_int64(row, 2));
    c.rejected = static_cast<uint64_t>(sqlite3_column_int64(row, 3));
    c.expired = static_cast<uint64_t>(sqlite3_column_int64(row, 4));
    c.dead_lettered = static_cast<uint64_t>(sqlite3_column_int64(row, 5));
  }
  if (rc != SQLITE_DONE) return FromSqlite(db.handle(), rc, "load streams");
  impl_->saved = *counters;
  impl_->saved_last_seq = *last_seq;
  for (const auto& [name, id] : impl_->stream_ids) {
    Result<StreamTable*> table = impl_->Table(name, false);
    if (!table.ok()) return table.status();
    Usage& u = (*usage)[name];
    if ((*table)->legacy) {
      sqlite3_stmt* sum = (*table)->usage.get();
      ResetOnExit reset(sum);
      if ((rc = sqlite3_step(sum)) != SQLITE_ROW) return FromSqlite(db.handle(), rc, "usage");
      u = {static_cast<uint64_t>(sqlite3_column_int64(sum, 0)),
           static_cast<uint64_t>(sqlite3_column_int64(sum, 1))};
    }
    if ((*table)->chunks->exists()) {
      uint64_t events = 0, bytes = 0;
      if (Status s = (*table)->chunks->Usage(&events, &bytes); !s.ok()) return s;
      u.events += events;
      u.bytes += bytes;
    }
  }
  return Status::Ok();
}

Result<uint64_t> SqliteStore::DeadLetterCount() {
  sqlite3_stmt* count = impl_->count_dead.get();
  ResetOnExit reset(count);
  const int rc = sqlite3_step(count);
  if (rc != SQLITE_ROW) return FromSqlite(impl_->db.handle(), rc, "count dead letters");
  return static_cast<uint64_t>(sqlite3_column_int64(count, 0));
}

bool SqliteStore::ChangedElsewhere() {
  sqlite3_stmt* version = impl_->data_version.get();
  ResetOnExit reset(version);
  if (sqlite3_step(version) != SQLITE_ROW) return false;
  const int64_t now = sqlite3_column_int64(version, 0);
  const bool changed = impl_->last_data_version >= 0 && now != impl_->last_data_version;
  impl_->last_data_version = now;
  return changed;
}

std::string SqliteLibraryVersion() { return std::string("SQLite ") + sqlite3_libversion(); }

void InitSqliteLibrary() {
  // pMem null, size 0, N 0: no page cache buffer and no initial bulk allocation.
  (void)sqlite3_config(SQLITE_CONFIG_PAGECACHE, nullptr, 0, 0);
}

}  // namespace ef::storage
