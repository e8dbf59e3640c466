// Upgrades of queue.db files written by earlier versions of edgeferry. Each step checks what
// the file has rather than trusting meta's schema_version alone, so a half-known file is
// brought up to date too; added columns cost no pages (old rows read the default).
//   version 3: drain rate columns in `streams` (drain_rates.cpp)
//   version 4: `fields` in every stream table q_<id> and in dead_letters
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

}  // namespace

Status UpgradeSchema(Db& db) {
  // Checked inside the write lock: another process may be upgrading the same file.
  if (Status s = db.Exec(sql::kBegin, "begin schema upgrade"); !s.ok()) return s;
  Status s = AddDrainRateColumns(db);
  if (s.ok()) s = AddFieldsColumns(db);
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
