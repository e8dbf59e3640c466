// Db: a thin RAII wrapper over one SQLite connection and its prepared statements, with the
// mapping of SQLite result codes onto Status. Used only inside storage/; the sqlite3 types
// never leave this library. Not thread-safe: its owner serialises access.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>

#include "core/status.h"

namespace ef::storage {

struct StatementDeleter {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

// Status for an SQLite result code: corruption, busy (retryable), full, or I/O error.
Status FromSqlite(sqlite3* db, int rc, const std::string& what);
// True for the Status FromSqlite makes of SQLITE_FULL (disk or max_page_count reached).
bool IsFullStatus(const Status& status);

// Resets (and unbinds) a statement when the scope ends, on every path.
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

class Db {
 public:
  Db() = default;
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Status Open(const std::string& path, bool read_only);
  void Close();
  sqlite3* handle() const { return handle_; }

  Status Exec(const char* sql, const std::string& what);
  Status Prepare(const std::string& sql, Statement* out);
  // Runs a statement that returns no rows (or whose rows are ignored).
  Status Step(sqlite3_stmt* stmt, const std::string& what);
  // Runs a query whose first row's first column is an integer (a count) and returns it.
  Result<int64_t> SelectInt(const char* sql, const std::string& what);
  // Runs `PRAGMA quick_check`; a Corruption status when the file is damaged.
  Status QuickCheck();

 private:
  sqlite3* handle_ = nullptr;
};

void BindText(sqlite3_stmt* stmt, int index, const std::string& text);
std::string ColumnText(sqlite3_stmt* stmt, int index);
// Sets `out` to a text or blob column (reusing its buffer when it is large enough).
void AssignColumn(sqlite3_stmt* stmt, int index, std::string* out);

}  // namespace ef::storage
