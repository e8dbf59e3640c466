// Dead-letter administration of SqliteStore: `edgeferry queue dlq list|show|replay|purge`.
#include "storage/sql.h"
#include "storage/sqlite_store_impl.h"

namespace ef::storage {

namespace {

// Steps `query` (columns as sql::kListDeadLetters) to its end.
Result<std::vector<DeadLetterRow>> ReadDeadLetters(sqlite3* db, sqlite3_stmt* query) {
  std::vector<DeadLetterRow> rows;
  int rc;
  while ((rc = sqlite3_step(query)) == SQLITE_ROW) {
    // Columns 1..9 have ReadEventRow's layout.
    DeadLetterRow row;
    row.id = static_cast<uint64_t>(sqlite3_column_int64(query, 0));
    ReadEventRow(query, 1, ColumnText(query, 10), &row.event);
    row.reason = ColumnText(query, 11);
    row.dead_time_ms = sqlite3_column_int64(query, 12);
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return FromSqlite(db, rc, "list dead letters");
  return rows;
}

}  // namespace

Result<std::vector<DeadLetterRow>> SqliteStore::ListDeadLetters(size_t limit, uint64_t only_id) {
  Statement list;
  if (Status s = impl_->db.Prepare(FillIn(sql::kListDeadLetters, "", impl_->fields_column), &list);
      !s.ok()) {
    return s;
  }
  sqlite3_bind_int64(list.get(), 1, static_cast<sqlite3_int64>(only_id));
  sqlite3_bind_int64(list.get(), 2, static_cast<sqlite3_int64>(limit));
  return ReadDeadLetters(impl_->db.handle(), list.get());
}

Result<std::vector<DeadLetterRow>> SqliteStore::RecentDeadLetters(size_t limit) {
  return WithLock([&]() -> Result<std::vector<DeadLetterRow>> {
    Statement recent;
    if (Status s = impl_->db.Prepare(FillIn(sql::kRecentDeadLetters, "", impl_->fields_column),
                                     &recent);
        !s.ok()) {
      return s;
    }
    sqlite3_bind_int64(recent.get(), 1, static_cast<sqlite3_int64>(limit));
    return ReadDeadLetters(impl_->db.handle(), recent.get());
  });
}

namespace {

// Binds ?1..?11 of sql::kInsertDeadLetter (and kInsertDeadLetterSeq) and steps it.
Status StepDeadLetter(Db& db, std::string* fields_buffer, sqlite3_stmt* stmt, const Event& e,
                      const std::string& reason, int64_t now_ms) {
  BindText(stmt, 1, e.stream);
  BindText(stmt, 2, e.device_id);
  BindText(stmt, 3, e.origin);
  sqlite3_bind_int64(stmt, 4, e.event_time_ms);
  sqlite3_bind_int64(stmt, 5, e.ingest_time_ms);
  sqlite3_bind_int(stmt, 6, QualityColumn(e));
  sqlite3_bind_int(stmt, 7, static_cast<int>(e.format));
  sqlite3_bind_blob(stmt, 8, e.payload.data(), static_cast<int>(e.payload.size()), SQLITE_STATIC);
  BindFields(stmt, 9, e.fields, fields_buffer);
  BindText(stmt, 10, reason);
  sqlite3_bind_int64(stmt, 11, now_ms);
  return db.Step(stmt, "insert dead letter");
}

}  // namespace

Status SqliteStore::InsertDeadLetter(const DeadLetterEntry& dead, int64_t now_ms) {
  // Rare (refused input): prepared when needed rather than kept.
  Statement insert;
  if (Status s = impl_->db.Prepare(sql::kInsertDeadLetter, &insert); !s.ok()) return s;
  return StepDeadLetter(impl_->db, &impl_->fields_buffer, insert.get(), dead.event, dead.reason,
                        now_ms);
}

Status SqliteStore::Impl::InsertStoredDeadLetter(const Event& e, const std::string& reason,
                                                 int64_t now_ms) {
  Statement insert;  // rare, as above
  if (Status s = db.Prepare(sql::kInsertDeadLetterSeq, &insert); !s.ok()) return s;
  sqlite3_bind_int64(insert.get(), 12, static_cast<sqlite3_int64>(e.seq));
  return StepDeadLetter(db, &fields_buffer, insert.get(), e, reason, now_ms);
}

Result<uint64_t> SqliteStore::PurgeDeadLetters(const std::vector<uint64_t>& ids) {
  Db& db = impl_->db;
  if (ids.empty()) {
    if (Status s = db.Exec(sql::kPurgeAllDeadLetters, "purge dead letters"); !s.ok()) return s;
    return static_cast<uint64_t>(sqlite3_changes(db.handle()));
  }
  Statement purge;
  if (Status s = db.Prepare(sql::kPurgeDeadLetter, &purge); !s.ok()) return s;
  uint64_t purged = 0;
  for (uint64_t id : ids) {
    sqlite3_bind_int64(purge.get(), 1, static_cast<sqlite3_int64>(id));
    if (Status s = db.Step(purge.get(), "purge dead letter"); !s.ok()) return s;
    purged += static_cast<uint64_t>(sqlite3_changes(db.handle()));
  }
  return purged;
}

Result<uint64_t> SqliteStore::ReplayDeadLetters(const std::vector<uint64_t>& ids) {
  std::vector<DeadLetterRow> rows;
  if (ids.empty()) {
    auto all = ListDeadLetters(SIZE_MAX >> 1);
    if (!all.ok()) return all.status();
    rows = std::move(all.value());
  } else {
    for (uint64_t id : ids) {
      auto one = ListDeadLetters(1, id);
      if (!one.ok()) return one.status();
      for (DeadLetterRow& row : *one) rows.push_back(std::move(row));
    }
  }
  std::vector<Event> events;
  for (const DeadLetterRow& row : rows) {
    events.push_back(row.event);
    events.back().seq = 0;
  }
  // Appended first, purged after: a crash in between replays twice, never loses one.
  if (Status s = Append(events); !s.ok()) return s;
  std::vector<uint64_t> replayed;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (events[i].seq != 0) replayed.push_back(rows[i].id);  // bounds may refuse some
  }
  if (replayed.empty()) return uint64_t{0};
  return PurgeDeadLetters(replayed);
}

}  // namespace ef::storage
