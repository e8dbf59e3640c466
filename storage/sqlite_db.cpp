#include "storage/sqlite_db.h"

namespace ef::storage {
namespace {
constexpr char kFullMarker[] = "[full] ";
}

Status FromSqlite(sqlite3* db, int rc, const std::string& what) {
  std::string msg = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xFF) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return Status::Corruption(std::move(msg));
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return Status::Unavailable(std::move(msg));
    case SQLITE_FULL: return Status::IoError(kFullMarker + msg);
    default: return Status::IoError(std::move(msg));
  }
}

bool IsFullStatus(const Status& status) {
  return status.code() == Status::Code::kIoError && status.message().starts_with(kFullMarker);
}

Db::~Db() { Close(); }

void Db::Close() {
  if (handle_ != nullptr) sqlite3_close(handle_);
  handle_ = nullptr;
}

Status Db::Open(const std::string& path, bool read_only) {
  const int flags = (read_only ? SQLITE_OPEN_READONLY
                               : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &handle_, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = FromSqlite(handle_, rc, "open " + path);
    Close();
    return s;
  }
  sqlite3_busy_timeout(handle_, 5000);
  sqlite3_extended_result_codes(handle_, 1);
  return Status::Ok();
}

Status Db::Exec(const char* sql, const std::string& what) {
  const int rc = sqlite3_exec(handle_, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : FromSqlite(handle_, rc, what);
}

Status Db::Prepare(const std::string& sql, Statement* out) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(handle_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt,
                                    nullptr);
  if (rc != SQLITE_OK) return FromSqlite(handle_, rc, "prepare");
  out->reset(stmt);
  return Status::Ok();
}

Status Db::Step(sqlite3_stmt* stmt, const std::string& what) {
  ResetOnExit reset(stmt);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
  }
  return rc == SQLITE_DONE ? Status::Ok() : FromSqlite(handle_, rc, what);
}

Result<int64_t> Db::SelectInt(const char* sql, const std::string& what) {
  Statement stmt;
  if (Status s = Prepare(sql, &stmt); !s.ok()) return s;
  const int rc = sqlite3_step(stmt.get());
  if (rc != SQLITE_ROW) return FromSqlite(handle_, rc, what);
  return static_cast<int64_t>(sqlite3_column_int64(stmt.get(), 0));
}

Status Db::QuickCheck() {
  Statement check;
  if (Status s = Prepare("PRAGMA quick_check(1)", &check); !s.ok()) return s;
  const int rc = sqlite3_step(check.get());
  if (rc != SQLITE_ROW) return FromSqlite(handle_, rc, "integrity check");
  const std::string verdict = ColumnText(check.get(), 0);
  if (verdict != "ok") return Status::Corruption("integrity check: " + verdict);
  return Status::Ok();
}

void BindText(sqlite3_stmt* stmt, int index, const std::string& text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

std::string ColumnText(sqlite3_stmt* stmt, int index) {
  std::string text;
  AssignColumn(stmt, index, &text);
  return text;
}

void AssignColumn(sqlite3_stmt* stmt, int index, std::string* out) {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt, index));
  out->assign(data ? data : "", static_cast<size_t>(sqlite3_column_bytes(stmt, index)));
}

}  // namespace ef::storage
