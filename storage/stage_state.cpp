// SqliteStore's stage state (Store::Append's `state`, Store::ReadState): the stage_state
// table, written inside the group of the events it belongs to. Reads prepare their statements
// per call: a stage reads its state once, when it starts.
#include "storage/sql.h"
#include "storage/sqlite_store_impl.h"

namespace ef::storage {
namespace {

// The smallest string above every string that starts with `prefix` (keys compare bytewise);
// empty when there is none (an empty prefix, or one of 0xFF bytes only).
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (!prefix.empty()) {
    prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  }
  return prefix;
}

}  // namespace

Status SqliteStore::SaveStageState(std::span<const StateEntry> state) {
  Impl& impl = *impl_;
  if (!impl.upsert_state) {
    if (Status s = impl.db.Exec(sql::kCreateStageState, "create stage_state"); !s.ok()) return s;
    if (Status s = impl.db.Prepare(sql::kUpsertState, &impl.upsert_state); !s.ok()) return s;
    if (Status s = impl.db.Prepare(sql::kEraseState, &impl.erase_state); !s.ok()) return s;
  }
  for (const StateEntry& entry : state) {
    sqlite3_stmt* stmt = entry.erase ? impl.erase_state.get() : impl.upsert_state.get();
    BindText(stmt, 1, entry.key);
    if (!entry.erase) {
      sqlite3_bind_blob(stmt, 2, entry.value.data(), static_cast<int>(entry.value.size()),
                        SQLITE_STATIC);
    }
    if (Status s = impl.db.Step(stmt, "save stage state"); !s.ok()) return s;
  }
  return Status::Ok();
}

Status SqliteStore::LoadStageState(const std::string& prefix, std::vector<StateEntry>* out) {
  Result<int64_t> has = impl_->db.SelectInt(sql::kHasStageState, "look for stage state");
  if (!has.ok()) return has.status();
  if (*has == 0) return Status::Ok();  // no stage wrote any yet
  const std::string end = PrefixEnd(prefix);
  Statement read;
  if (Status s = impl_->db.Prepare(end.empty() ? sql::kReadStateFrom : sql::kReadStateRange,
                                   &read);
      !s.ok()) {
    return s;
  }
  BindText(read.get(), 1, prefix);
  if (!end.empty()) BindText(read.get(), 2, end);
  int rc;
  while ((rc = sqlite3_step(read.get())) == SQLITE_ROW) {
    StateEntry& entry = out->emplace_back();
    AssignColumn(read.get(), 0, &entry.key);
    AssignColumn(read.get(), 1, &entry.value);
  }
  return rc == SQLITE_DONE ? Status::Ok()
                           : FromSqlite(impl_->db.handle(), rc, "read stage state");
}

}  // namespace ef::storage
