#include "storage/sqlite_store.h"

#include <sqlite3.h>

#include "storage/sql.h"

namespace ef::storage {
namespace {

Status FromSqlite(sqlite3* db, int rc, const char* what) {
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xFF) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return Status::Corruption(std::move(msg));
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return Status::Unavailable(std::move(msg));
    default: return Status::IoError(std::move(msg));
  }
}

struct StatementDeleter {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

// Resets a statement when it goes out of scope, so every exit path leaves it reusable.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~ResetOnExit() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

void BindText(sqlite3_stmt* stmt, int index, const std::string& text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

std::string ColumnText(sqlite3_stmt* stmt, int index) {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt, index));
  return std::string(data ? data : "", static_cast<size_t>(sqlite3_column_bytes(stmt, index)));
}

}  // namespace

struct SqliteStore::Db {
  sqlite3* handle = nullptr;
  Statement insert, read_after, remove, save_seq, stats, begin, commit, rollback;
  uint64_t last_seq = 0;

  ~Db() {
    insert.reset(); read_after.reset(); remove.reset(); save_seq.reset(); stats.reset();
    begin.reset(); commit.reset(); rollback.reset();
    if (handle) sqlite3_close(handle);
  }

  Status Prepare(const char* sql, Statement* out) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return FromSqlite(handle, rc, "prepare");
    out->reset(stmt);
    return Status::Ok();
  }

  // Runs a statement that returns no rows.
  Status Step(sqlite3_stmt* stmt, const char* what) {
    ResetOnExit reset(stmt);
    const int rc = sqlite3_step(stmt);
    return rc == SQLITE_DONE ? Status::Ok() : FromSqlite(handle, rc, what);
  }

  Status Exec(const char* sql, const char* what) {
    const int rc = sqlite3_exec(handle, sql, nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? Status::Ok() : FromSqlite(handle, rc, what);
  }
};

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteStoreOptions& options) {
  auto db = std::make_unique<Db>();
  int rc = sqlite3_open_v2(options.path.c_str(), &db->handle,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) return FromSqlite(db->handle, rc, ("open " + options.path).c_str());
  sqlite3_busy_timeout(db->handle, 5000);
  const char* sync = options.durability == Durability::kFull ? "PRAGMA synchronous=FULL"
                                                             : "PRAGMA synchronous=NORMAL";
  for (const char* pragma : {"PRAGMA journal_mode=WAL", sync}) {
    if (Status s = db->Exec(pragma, options.path.c_str()); !s.ok()) return s;
  }
  if (Status s = db->Exec(sql::kSchema, "create schema"); !s.ok()) return s;

  const std::pair<const char*, Statement*> statements[] = {
      {sql::kInsertEvent, &db->insert}, {sql::kReadAfter, &db->read_after},
      {sql::kDeleteEvent, &db->remove}, {sql::kSaveLastSeq, &db->save_seq},
      {sql::kStats, &db->stats},        {sql::kBegin, &db->begin},
      {sql::kCommit, &db->commit},      {sql::kRollback, &db->rollback}};
  for (const auto& [text, stmt] : statements) {
    if (Status s = db->Prepare(text, stmt); !s.ok()) return s;
  }
  Statement load;
  if (Status s = db->Prepare(sql::kLoadLastSeq, &load); !s.ok()) return s;
  if (sqlite3_step(load.get()) == SQLITE_ROW) {
    db->last_seq = static_cast<uint64_t>(sqlite3_column_int64(load.get(), 0));
  }
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db)));
}

SqliteStore::SqliteStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}
SqliteStore::~SqliteStore() = default;

Status SqliteStore::Append(std::span<Event> events) {
  if (events.empty()) return Status::Ok();
  std::lock_guard lock(mu_);
  if (Status s = db_->Step(db_->begin.get(), "begin"); !s.ok()) return s;
  Status s = AppendLocked(events);
  if (s.ok()) s = db_->Step(db_->commit.get(), "commit");
  if (!s.ok()) {
    (void)db_->Step(db_->rollback.get(), "rollback");  // the group is not stored, seq unused
    return s;
  }
  db_->last_seq += events.size();
  return Status::Ok();
}

Status SqliteStore::AppendLocked(std::span<Event> events) {
  uint64_t seq = db_->last_seq;
  sqlite3_stmt* insert = db_->insert.get();
  for (Event& event : events) {
    ResetOnExit reset(insert);
    sqlite3_bind_int64(insert, 1, static_cast<sqlite3_int64>(++seq));
    BindText(insert, 2, event.stream);
    BindText(insert, 3, event.device_id);
    BindText(insert, 4, event.origin);
    sqlite3_bind_int64(insert, 5, event.event_time_ms);
    sqlite3_bind_int64(insert, 6, event.ingest_time_ms);
    sqlite3_bind_int(insert, 7, static_cast<int>(event.quality));
    sqlite3_bind_int(insert, 8, static_cast<int>(event.format));
    sqlite3_bind_blob(insert, 9, event.payload.data(), static_cast<int>(event.payload.size()),
                      SQLITE_STATIC);
    const int rc = sqlite3_step(insert);
    if (rc != SQLITE_DONE) return FromSqlite(db_->handle, rc, "insert event");
  }
  sqlite3_bind_int64(db_->save_seq.get(), 1, static_cast<sqlite3_int64>(seq));
  if (Status s = db_->Step(db_->save_seq.get(), "save sequence"); !s.ok()) return s;
  // Only now hand out the numbers: a rolled-back group leaves the events untouched.
  seq = db_->last_seq;
  for (Event& event : events) event.seq = ++seq;
  return Status::Ok();
}

Status SqliteStore::ReadAfter(uint64_t after_seq, size_t max, std::vector<Event>* out) {
  std::lock_guard lock(mu_);
  sqlite3_stmt* read = db_->read_after.get();
  ResetOnExit reset(read);
  sqlite3_bind_int64(read, 1, static_cast<sqlite3_int64>(after_seq));
  sqlite3_bind_int64(read, 2, static_cast<sqlite3_int64>(max));
  int rc;
  while ((rc = sqlite3_step(read)) == SQLITE_ROW) {
    Event event;
    event.seq = static_cast<uint64_t>(sqlite3_column_int64(read, 0));
    event.stream = ColumnText(read, 1);
    event.device_id = ColumnText(read, 2);
    event.origin = ColumnText(read, 3);
    event.event_time_ms = sqlite3_column_int64(read, 4);
    event.ingest_time_ms = sqlite3_column_int64(read, 5);
    event.quality = static_cast<Quality>(sqlite3_column_int(read, 6));
    event.format = static_cast<PayloadFormat>(sqlite3_column_int(read, 7));
    event.payload = ColumnText(read, 8);
    out->push_back(std::move(event));
  }
  return rc == SQLITE_DONE ? Status::Ok() : FromSqlite(db_->handle, rc, "read events");
}

Status SqliteStore::Ack(std::span<const uint64_t> seqs) {
  if (seqs.empty()) return Status::Ok();
  std::lock_guard lock(mu_);
  if (Status s = db_->Step(db_->begin.get(), "begin"); !s.ok()) return s;
  for (uint64_t seq : seqs) {
    sqlite3_bind_int64(db_->remove.get(), 1, static_cast<sqlite3_int64>(seq));
    if (Status s = db_->Step(db_->remove.get(), "delete event"); !s.ok()) {
      (void)db_->Step(db_->rollback.get(), "rollback");
      return s;
    }
  }
  return db_->Step(db_->commit.get(), "commit");
}

Result<StoreStats> SqliteStore::Stats() {
  std::lock_guard lock(mu_);
  sqlite3_stmt* stats = db_->stats.get();
  ResetOnExit reset(stats);
  const int rc = sqlite3_step(stats);
  if (rc != SQLITE_ROW) return FromSqlite(db_->handle, rc, "stats");
  StoreStats out;
  out.events = static_cast<uint64_t>(sqlite3_column_int64(stats, 0));
  out.bytes = static_cast<uint64_t>(sqlite3_column_int64(stats, 1));
  out.oldest_ingest_ms = sqlite3_column_int64(stats, 2);
  out.last_seq = db_->last_seq;
  return out;
}

}  // namespace ef::storage

namespace ef::storage {
std::string SqliteLibraryVersion() { return std::string("SQLite ") + sqlite3_libversion(); }
}  // namespace ef::storage
