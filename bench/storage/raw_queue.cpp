// The raw SQLite ceiling of ef-bench-storage: the least a queue in SQLite can do per event.
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>

#include "bench/storage/queue_under_test.h"

namespace ef::bench {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS q (seq INTEGER PRIMARY KEY, device TEXT NOT NULL,"
    " origin TEXT NOT NULL, event_time INTEGER NOT NULL, ingest_time INTEGER NOT NULL,"
    " quality INTEGER NOT NULL, format INTEGER NOT NULL, size INTEGER NOT NULL,"
    " payload BLOB NOT NULL)";
constexpr const char* kInsert =
    "INSERT INTO q (seq, device, origin, event_time, ingest_time, quality, format, size, payload)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kRead =
    "SELECT seq, device, origin, event_time, ingest_time, quality, format, payload"
    " FROM q WHERE seq > ?1 ORDER BY seq LIMIT ?2";
constexpr const char* kDelete = "DELETE FROM q WHERE seq BETWEEN ?1 AND ?2";

[[noreturn]] void Die(sqlite3* db, const char* what) {
  std::fprintf(stderr, "ef-bench-storage: raw %s: %s\n", what, sqlite3_errmsg(db));
  std::exit(1);
}

class RawQueue final : public QueueUnderTest {
 public:
  RawQueue(const std::string& path, Durability durability) {
    if (sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      Die(db_, "open");
    }
    Exec("PRAGMA journal_mode=WAL");
    Exec(durability == Durability::kFull ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    Exec(kSchema);
    insert_ = Prepare(kInsert);
    read_ = Prepare(kRead);
    delete_ = Prepare(kDelete);
    begin_ = Prepare("BEGIN");
    commit_ = Prepare("COMMIT");
  }
  ~RawQueue() override {
    for (sqlite3_stmt* s : {insert_, read_, delete_, begin_, commit_}) sqlite3_finalize(s);
    sqlite3_close(db_);
  }

  void Append(std::span<Event> group) override {
    Run(begin_, "begin");
    for (Event& e : group) {
      e.seq = ++last_seq_;
      sqlite3_bind_int64(insert_, 1, static_cast<sqlite3_int64>(e.seq));
      sqlite3_bind_text(insert_, 2, e.device_id.data(), static_cast<int>(e.device_id.size()),
                        SQLITE_STATIC);
      sqlite3_bind_text(insert_, 3, e.origin.data(), static_cast<int>(e.origin.size()),
                        SQLITE_STATIC);
      sqlite3_bind_int64(insert_, 4, e.event_time_ms);
      sqlite3_bind_int64(insert_, 5, e.ingest_time_ms);
      sqlite3_bind_int(insert_, 6, static_cast<int>(e.quality));
      sqlite3_bind_int(insert_, 7, static_cast<int>(e.format));
      sqlite3_bind_int64(insert_, 8, static_cast<sqlite3_int64>(e.payload.size()));
      sqlite3_bind_blob(insert_, 9, e.payload.data(), static_cast<int>(e.payload.size()),
                        SQLITE_STATIC);
      Run(insert_, "insert");
    }
    Run(commit_, "commit");
  }

  size_t ReadOldest(size_t max) override {
    sqlite3_bind_int64(read_, 1, static_cast<sqlite3_int64>(cursor_));
    sqlite3_bind_int64(read_, 2, static_cast<sqlite3_int64>(max));
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(read_)) == SQLITE_ROW) {
      const auto seq = static_cast<uint64_t>(sqlite3_column_int64(read_, 0));
      if (n == 0) first_read_ = seq;
      last_read_ = seq;
      // Touch every column as a reader would; keep the sum so nothing is optimised away.
      checksum_ += static_cast<uint64_t>(sqlite3_column_bytes(read_, 1)) +
                   static_cast<uint64_t>(sqlite3_column_bytes(read_, 2)) +
                   static_cast<uint64_t>(sqlite3_column_int64(read_, 3)) +
                   static_cast<uint64_t>(sqlite3_column_int64(read_, 4)) +
                   static_cast<uint64_t>(sqlite3_column_int(read_, 5)) +
                   static_cast<uint64_t>(sqlite3_column_int(read_, 6));
      const void* payload = sqlite3_column_blob(read_, 7);
      checksum_ += payload ? static_cast<uint64_t>(sqlite3_column_bytes(read_, 7)) : 0;
      ++n;
    }
    if (rc != SQLITE_DONE) Die(db_, "read");
    sqlite3_reset(read_);
    if (n > 0) cursor_ = last_read_;
    read_count_ = n;
    return n;
  }

  void AckRead() override {
    if (read_count_ == 0) return;
    sqlite3_bind_int64(delete_, 1, static_cast<sqlite3_int64>(first_read_));
    sqlite3_bind_int64(delete_, 2, static_cast<sqlite3_int64>(last_read_));
    Run(delete_, "delete");
    read_count_ = 0;
  }

 private:
  void Exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) Die(db_, sql);
  }
  sqlite3_stmt* Prepare(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      Die(db_, sql);
    }
    return stmt;
  }
  void Run(sqlite3_stmt* stmt, const char* what) {
    if (sqlite3_step(stmt) != SQLITE_DONE) Die(db_, what);
    sqlite3_reset(stmt);
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt *insert_ = nullptr, *read_ = nullptr, *delete_ = nullptr, *begin_ = nullptr,
               *commit_ = nullptr;
  uint64_t last_seq_ = 0;
  uint64_t cursor_ = 0;
  uint64_t first_read_ = 0, last_read_ = 0;
  size_t read_count_ = 0;
  uint64_t checksum_ = 0;
};

}  // namespace

std::unique_ptr<QueueUnderTest> OpenRawQueue(const std::string& path, Durability durability) {
  return std::make_unique<RawQueue>(path, durability);
}

std::string SqliteVersion() { return std::string("SQLite ") + sqlite3_libversion(); }

}  // namespace ef::bench
