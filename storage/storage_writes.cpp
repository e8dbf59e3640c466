// SqliteStore's record of the daemon's storage writes (flash wear): four rows of `meta`,
// the table that holds last_seq, so a group that writes the sequence number stores the figure
// in the same page for nothing. `queue stats` reads them read-only.
#include "storage/sql.h"
#include "storage/sqlite_store_impl.h"

namespace ef::storage {
namespace {

Status SaveFigure(Db& db, const StorageWrites& w) {
  Statement save;
  if (Status s = db.Prepare(sql::kSaveWrites, &save); !s.ok()) return s;
  const int64_t values[] = {static_cast<int64_t>(w.bytes), static_cast<int64_t>(w.events),
                            w.since_ms, w.as_of_ms};
  for (int i = 0; i < 4; ++i) sqlite3_bind_int64(save.get(), i + 1, values[i]);
  return db.Step(save.get(), "save storage writes");
}

}  // namespace

Status SqliteStore::Impl::SaveWritesIfDue(bool seq_written) {
  if (!writes_noted) return Status::Ok();
  if (!seq_written && writes.as_of_ms - writes_stored_ms < kWritesEveryMs) return Status::Ok();
  if (Status s = SaveFigure(db, writes); !s.ok()) return s;
  writes_noted = false;  // Rollback() notes it again
  writes_stored_ms = writes.as_of_ms;
  return Status::Ok();
}

void SqliteStore::NoteWrites(const StorageWrites& writes) {
  WithLock([&] {
    impl_->writes = writes;
    impl_->writes_noted = true;
  });
}

Status SqliteStore::SaveWrites(const StorageWrites& writes) {
  return WithLock([&]() -> Status {
    impl_->writes = writes;
    impl_->writes_noted = true;
    if (Status s = Begin(); !s.ok()) return s;
    Status s = impl_->SaveWritesIfDue(true);
    if (s.ok()) s = Commit();
    if (!s.ok()) Rollback();
    return s;
  });
}

Result<StorageWrites> SqliteStore::StoredWrites() {
  return WithLock([&]() -> Result<StorageWrites> {
    Statement load;
    if (Status s = impl_->db.Prepare(sql::kLoadWrites, &load); !s.ok()) return s;
    StorageWrites w;
    int rc;
    while ((rc = sqlite3_step(load.get())) == SQLITE_ROW) {
      const std::string key = ColumnText(load.get(), 0);
      const int64_t value = sqlite3_column_int64(load.get(), 1);
      if (key == "written_bytes") w.bytes = static_cast<uint64_t>(value);
      if (key == "written_events") w.events = static_cast<uint64_t>(value);
      if (key == "written_since_ms") w.since_ms = value;
      if (key == "written_as_of_ms") w.as_of_ms = value;
    }
    if (rc != SQLITE_DONE) return FromSqlite(impl_->db.handle(), rc, "load storage writes");
    return w;
  });
}

}  // namespace ef::storage
