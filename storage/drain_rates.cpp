// SqliteStore's drain rates (Store::RecordDrainRates): two columns of `streams` (schema
// version 3), written by the uplink every 10 s while a stream drains or waits, read by
// `queue stats`. Statements are prepared per call: one call per 10 s needs no cache.
#include "storage/sql.h"
#include "storage/sqlite_store_impl.h"

namespace ef::storage {
namespace {

Result<bool> HasDrainColumns(Db& db) {
  Result<int64_t> count = db.SelectInt(sql::kHasDrainColumns, "look for drain rates");
  if (!count.ok()) return count.status();
  return *count > 0;
}

}  // namespace

Status AddDrainRateColumns(Db& db) {
  Result<bool> has = HasDrainColumns(db);
  if (!has.ok()) return has.status();
  return *has ? Status::Ok() : db.Exec(sql::kAddDrainColumns, "add drain rate columns");
}

Status SqliteStore::SaveDrainRates(std::span<const StreamRate> rates, int64_t now_ms) {
  Statement save;
  if (Status s = impl_->db.Prepare(sql::kSaveDrainRate, &save); !s.ok()) return s;
  for (const StreamRate& r : rates) {
    BindText(save.get(), 1, r.stream);
    sqlite3_bind_double(save.get(), 2, r.events_per_s);
    sqlite3_bind_int64(save.get(), 3, now_ms);
    if (Status s = impl_->Step(save, "save drain rate"); !s.ok()) return s;
  }
  return Status::Ok();
}

Status SqliteStore::LoadDrainRates(std::map<std::string, DrainRate>* rates) {
  Db& db = impl_->db;
  Result<bool> has = HasDrainColumns(db);
  if (!has.ok()) return has.status();
  if (!*has) return Status::Ok();  // written by an earlier version, opened read-only
  Statement load;
  if (Status s = db.Prepare(sql::kLoadDrainRates, &load); !s.ok()) return s;
  int rc;
  while ((rc = sqlite3_step(load.get())) == SQLITE_ROW) {
    (*rates)[ColumnText(load.get(), 0)] = {sqlite3_column_double(load.get(), 1),
                                           sqlite3_column_int64(load.get(), 2)};
  }
  return rc == SQLITE_DONE ? Status::Ok() : FromSqlite(db.handle(), rc, "load drain rates");
}

}  // namespace ef::storage
