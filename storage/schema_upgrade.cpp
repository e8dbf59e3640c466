// Upgrades of queue.db files written by earlier versions of edgeferry. Each step checks what
// the file has rather than trusting meta's schema_version alone, so a half-known file is
// brought up to date too; added columns cost no pages (old rows read the default).
//   version 3: drain rate columns in `streams` (drain_rates.cpp)
//   version 4: `fields` in every stream table q_<id> and in dead_letters
//   version 5: a chunk table c_<id> for every stream (events are written there since)
// A file of a newer version than this binary knows is refused, not opened: its events may be
// where this binary would not see them.
#include <vector>

#include "storage/sql.h"
#include "storage/sqlite_store_impl.h"

namespace ef::storage {
namespace {

Status AddFieldsColumns(Db& db) {
  std::vector<std::string> tables;
  {
    Statement lacking;
    if (Status s = db.Prepare(sql::kTablesWithoutFields, &lacking); !s.ok()) return s;
    int rc;
    while ((rc = sqlite3_step(lacking.get())) == SQLITE_ROW) {
      tables.push_back(ColumnText(lacking.get(), 0));
    }
    if (rc != SQLITE_DONE) return FromSqlite(db.handle(), rc, "look for tables without fields");
  }
  for (const std::string& table : tables) {
    const std::string alter = FillIn(sql::kAddFieldsColumn, table);
    if (Status s = db.Exec(alter.c_str(), "add fields to " + table); !s.ok()) return s;
  }
  return db.Exec(sql::kSchemaVersion4, "record schema version 4");
}

Status AddChunkTables(Db& db) {
  std::vector<std::string> ids;
  {
    Statement streams;
    if (Status s = db.Prepare(sql::kStreamIds, &streams); !s.ok()) return s;
    int rc;
    while ((rc = sqlite3_step(streams.get())) == SQLITE_ROW) {
      ids.push_back(ColumnText(streams.get(), 0));
    }
    if (rc != SQLITE_DONE) return FromSqlite(db.handle(), rc, "list streams");
  }
  for (const std::string& id : ids) {
    const std::string create = FillIn(sql::kCreateChunkTable, "c_" + id);
    if (Status s = db.Exec(create.c_str(), "create c_" + id); !s.ok()) return s;
  }
  return db.Exec(sql::kSchemaVersion5, "record schema version 5");
}

Status RefuseNewer(Db& db) {
  Result<int64_t> version = db.SelectInt(sql::kSchemaVersion, "read schema version");
  if (!version.ok()) return version.status();
  if (*version <= sql::kCurrentSchema) return Status::Ok();
  return Status::Permanent("the queue file has schema version " + std::to_string(*version) +
                           ", newer than this edgeferry knows (" +
                           std::to_string(sql::kCurrentSchema) +
                           "): run the version that wrote it, or drain the queue with it first");
}

}  // namespace

Status UpgradeSchema(Db& db) {
  // Checked inside the write lock: another process may be upgrading the same file.
  if (Status s = db.Exec(sql::kBegin, "begin schema upgrade"); !s.ok()) return s;
  Status s = RefuseNewer(db);
  if (s.ok()) s = AddDrainRateColumns(db);
  if (s.ok()) s = AddFieldsColumns(db);
  if (s.ok()) s = AddChunkTables(db);
  if (s.ok()) return db.Exec(sql::kCommit, "commit schema upgrade");
  (void)db.Exec(sql::kRollback, "roll back schema upgrade");
  return s;
}

Result<bool> HasFieldsColumn(Db& db) {
  Result<int64_t> count = db.SelectInt(sql::kHasFieldsColumn, "look for the fields column");
  if (!count.ok()) return count.status();
  return *count > 0;
}

}  // namespace ef::storage
