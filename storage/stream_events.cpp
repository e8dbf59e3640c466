// SqliteStore's primitives on a stream's events (queue_store.h): inserted into the group's
// chunk, read, removed, dead-lettered, bounded and expired across the stream's chunks and the
// rows an earlier version wrote (sqlite_store_impl.h's StreamTable), in seq order.
#include <algorithm>

#include "storage/sql.h"
#include "storage/sqlite_store_impl.h"

namespace ef::storage {
namespace {

// Removes the rows with these seqs (sorted, unique) from the table of rows written before.
Result<Removed> RemoveRows(Db& db, StreamTable& table, std::span<const uint64_t> sorted) {
  Removed removed;
  sqlite3_stmt* usage = table.range_usage.get();
  sqlite3_stmt* remove = table.remove.get();
  // Acks come mostly in order: delete contiguous runs with one statement each.
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    for (sqlite3_stmt* stmt : {usage, remove}) {
      sqlite3_bind_int64(stmt, 1, static_cast<sqlite3_int64>(sorted[i]));
      sqlite3_bind_int64(stmt, 2, static_cast<sqlite3_int64>(sorted[j]));
    }
    // Sizes known from Read spare the counting query; the delete tells how many went.
    uint64_t known_bytes = 0;
    const bool all_known = table.read_sizes.Take(sorted[i], sorted[j], &known_bytes);
    const uint64_t run = sorted[j] - sorted[i] + 1;
    if (!all_known) {
      ResetOnExit reset(usage);
      const int rc = sqlite3_step(usage);
      if (rc != SQLITE_ROW) return FromSqlite(db.handle(), rc, "count acked events");
      removed.events += static_cast<uint64_t>(sqlite3_column_int64(usage, 0));
      removed.bytes += static_cast<uint64_t>(sqlite3_column_int64(usage, 1));
    }
    if (Status s = db.Step(remove, "delete events"); !s.ok()) return s;
    if (all_known) {
      const auto deleted = static_cast<uint64_t>(sqlite3_changes(db.handle()));
      removed.events += deleted;
      removed.bytes += deleted == run ? known_bytes : known_bytes / run * deleted;
    }
    i = j + 1;
  }
  return removed;
}

// The first row of the table of rows written before, if any.
Result<std::optional<HeadRow>> FirstRow(Db& db, StreamTable& table) {
  sqlite3_stmt* head = table.head.get();
  ResetOnExit reset(head);
  sqlite3_bind_int64(head, 1, 1);
  const int rc = sqlite3_step(head);
  if (rc == SQLITE_DONE) return std::optional<HeadRow>();
  if (rc != SQLITE_ROW) return FromSqlite(db.handle(), rc, "read head");
  return std::optional<HeadRow>(HeadRow{static_cast<uint64_t>(sqlite3_column_int64(head, 0)),
                                        static_cast<uint64_t>(sqlite3_column_int64(head, 1)),
                                        sqlite3_column_int64(head, 2),
                                        UnsyncedInQualityColumn(sqlite3_column_int(head, 3))});
}

// Walks the rows written before from the oldest while `take` says so and below `cap`, then
// deletes up to the last row taken in one statement.
Status RemoveRowsHead(Db& db, StreamTable& table, const HeadTake& take, uint64_t cap,
                      Removed* removed, bool* stopped) {
  constexpr int kBatch = 512;
  for (;;) {
    uint64_t last = 0;
    bool more = false;
    {
      sqlite3_stmt* head = table.head.get();
      ResetOnExit reset(head);
      sqlite3_bind_int64(head, 1, kBatch);
      int rc;
      int rows = 0;
      while ((rc = sqlite3_step(head)) == SQLITE_ROW) {
        ++rows;
        const HeadRow row{static_cast<uint64_t>(sqlite3_column_int64(head, 0)),
                          static_cast<uint64_t>(sqlite3_column_int64(head, 1)),
                          sqlite3_column_int64(head, 2),
                          UnsyncedInQualityColumn(sqlite3_column_int(head, 3))};
        if (row.seq >= cap) break;
        if (!take(*removed, row)) {
          *stopped = true;
          break;
        }
        last = row.seq;
        ++removed->events;
        removed->bytes += row.size;
      }
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return FromSqlite(db.handle(), rc, "read head");
      more = rc == SQLITE_DONE && rows == kBatch;
    }
    if (last == 0) return Status::Ok();
    sqlite3_bind_int64(table.delete_up_to.get(), 1, static_cast<sqlite3_int64>(last));
    if (Status s = db.Step(table.delete_up_to.get(), "delete oldest"); !s.ok()) return s;
    table.read_sizes.ForgetUpTo(last);
    if (!more) return Status::Ok();
  }
}

// The heads of a stream's two stores: its first row written before, and its first chunk's
// (first seq, oldest ingest time). Either may be missing.
struct StreamHeads {
  std::optional<HeadRow> row;
  std::optional<std::pair<uint64_t, int64_t>> chunk;
  // Whether the stream's oldest event is the row (rows and chunks never share a seq).
  bool RowFirst() const { return row && (!chunk || row->seq < chunk->first); }
};

Result<StreamHeads> HeadsOf(Db& db, StreamTable& table) {
  StreamHeads heads;
  if (table.legacy) {
    Result<std::optional<HeadRow>> first = FirstRow(db, table);
    if (!first.ok()) return first.status();
    heads.row = *first;
  }
  if (table.chunks->exists()) {
    Result<std::optional<std::pair<uint64_t, int64_t>>> head = table.chunks->Head();
    if (!head.ok()) return head.status();
    heads.chunk = *head;
  }
  return heads;
}

// Walks the stream's head (rows written before and chunks, by seq) while `take` says so;
// `whole` spares decoding a chunk that `take` would take entirely.
Result<Removed> RemoveHead(Db& db, StreamTable& table, const HeadTake& take,
                           const HeadWhole& whole) {
  Removed removed;
  bool stopped = false;
  while (!stopped) {
    Result<StreamHeads> heads = HeadsOf(db, table);
    if (!heads.ok()) return heads.status();
    const auto& [row, chunk] = *heads;
    if (!row && !chunk) break;
    Status s;
    if (heads->RowFirst()) {
      s = RemoveRowsHead(db, table, take, chunk ? chunk->first : UINT64_MAX, &removed, &stopped);
    } else {
      s = table.chunks->RemoveHead(take, whole, row ? row->seq : UINT64_MAX, &removed, &stopped);
    }
    if (!s.ok()) return s;
  }
  return removed;
}

std::vector<uint64_t> SortedUnique(std::span<const uint64_t> seqs) {
  std::vector<uint64_t> sorted(seqs.begin(), seqs.end());
  if (!std::is_sorted(sorted.begin(), sorted.end())) std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  return sorted;
}

}  // namespace

Status SqliteStore::Insert(const Event& event, uint64_t seq, uint64_t size) {
  Result<StreamTable*> table = impl_->Table(event.stream, true);
  if (!table.ok()) return table.status();
  ChunkTable& chunks = *(*table)->chunks;
  if (!chunks.exists()) {  // looked up before this group created the stream's tables
    if (Status s = chunks.Open(true); !s.ok()) return s;
  }
  if (Status s = impl_->lease.Cover(seq); !s.ok()) return s;
  if (Status s = chunks.Add(event, seq, size); !s.ok()) return s;
  impl_->NotePending(*table);
  return Status::Ok();
}

Status SqliteStore::Read(const std::string& stream, uint64_t after_seq, size_t max,
                         std::vector<Event>* out) {
  Result<StreamTable*> found = impl_->Table(stream, false);
  if (!found.ok()) return found.status();
  if (*found == nullptr) return Status::Ok();
  StreamTable& table = **found;
  const size_t had = out->size();
  if (table.legacy) {
    sqlite3_stmt* read = table.read_after.get();
    ResetOnExit reset(read);
    sqlite3_bind_int64(read, 1, static_cast<sqlite3_int64>(after_seq));
    sqlite3_bind_int64(read, 2, static_cast<sqlite3_int64>(max));
    int rc;
    while ((rc = sqlite3_step(read)) == SQLITE_ROW) {
      Event& e = out->emplace_back();  // filled in place: one allocation per long string
      ReadEventRow(read, 0, stream, &e);
      table.read_sizes.Add(e.seq, static_cast<uint64_t>(sqlite3_column_int64(read, 9)));
    }
    if (rc != SQLITE_DONE) return FromSqlite(impl_->db.handle(), rc, "read events");
  }
  const size_t rows = out->size() - had;
  if (!table.chunks->exists()) return Status::Ok();
  if (Status s = table.chunks->Read(after_seq, max, out); !s.ok()) return s;
  if (rows > 0 && out->size() - had > rows) {  // both: the first `max` by seq
    const auto first = out->begin() + static_cast<ptrdiff_t>(had);
    std::stable_sort(first, out->end(),
                     [](const Event& a, const Event& b) { return a.seq < b.seq; });
    out->resize(std::min(out->size(), had + max));
  }
  return Status::Ok();
}

Result<Removed> SqliteStore::Remove(const std::string& stream, std::span<const uint64_t> seqs) {
  Result<StreamTable*> found = impl_->Table(stream, false);
  if (!found.ok()) return found.status();
  if (*found == nullptr) return Removed{};
  StreamTable& table = **found;
  const std::vector<uint64_t> sorted = SortedUnique(seqs);
  Removed removed;
  if (table.legacy) {
    Result<Removed> rows = RemoveRows(impl_->db, table, sorted);
    if (!rows.ok()) return rows.status();
    removed = *rows;
  }
  if (table.chunks->exists()) {
    Result<Removed> chunked = table.chunks->Remove(sorted);
    if (!chunked.ok()) return chunked.status();
    removed.events += chunked->events;
    removed.bytes += chunked->bytes;
  }
  return removed;
}

Result<Removed> SqliteStore::MoveToDeadLetters(const std::string& stream,
                                               std::span<const uint64_t> seqs,
                                               std::string_view reason, int64_t now_ms) {
  Result<StreamTable*> found = impl_->Table(stream, false);
  if (!found.ok()) return found.status();
  if (*found == nullptr) return Removed{};
  StreamTable& table = **found;
  const std::string why(reason);
  if (table.legacy) {
    sqlite3_stmt* move = table.to_dead.get();
    if (move == nullptr) return Status::Permanent("dead-letter event: read-only store");
    for (uint64_t seq : seqs) {
      sqlite3_bind_int64(move, 1, static_cast<sqlite3_int64>(seq));
      BindText(move, 2, stream);
      BindText(move, 3, why);
      sqlite3_bind_int64(move, 4, now_ms);
      if (Status s = impl_->db.Step(move, "dead-letter event"); !s.ok()) return s;
    }
  }
  if (table.chunks->exists()) {
    std::vector<ChunkEvent> events;
    if (Status s = table.chunks->Collect(SortedUnique(seqs), &events); !s.ok()) return s;
    for (const ChunkEvent& e : events) {
      if (Status s = impl_->InsertStoredDeadLetter(e.event, why, now_ms); !s.ok()) return s;
    }
  }
  return Remove(stream, seqs);
}

Result<Removed> SqliteStore::RemoveOldest(const std::string& stream, uint64_t bytes) {
  Result<StreamTable*> table = impl_->Table(stream, false);
  if (!table.ok()) return table.status();
  if (*table == nullptr) return Removed{};
  // Taken while less than `bytes` is freed: a chunk whose bytes all fit is taken whole.
  Result<Removed> removed = RemoveHead(
      impl_->db, **table, [bytes](const Removed& r, const HeadRow&) { return r.bytes < bytes; },
      [bytes](const Removed& r, const ChunkSummary& c) { return r.bytes + c.bytes <= bytes; });
  impl_->NotePending(*table);
  return removed;
}

Result<Removed> SqliteStore::RemoveExpired(const std::string& stream, const ExpiryCut& cut) {
  Result<StreamTable*> table = impl_->Table(stream, false);
  if (!table.ok()) return table.status();
  if (*table == nullptr) return Removed{};
  Result<Removed> removed = RemoveHead(
      impl_->db, **table,
      [&cut](const Removed&, const HeadRow& row) {
        return cut.Expired(row.seq, row.ingest_ms, row.clock_unsynced);
      },
      [&cut](const Removed&, const ChunkSummary& c) { return c.last_seq <= cut.max_seq; });
  impl_->NotePending(*table);
  return removed;
}

Result<int64_t> SqliteStore::OldestIngest(const std::string& stream) {
  Result<StreamTable*> found = impl_->Table(stream, false);
  if (!found.ok()) return found.status();
  if (*found == nullptr) return int64_t{0};
  Result<StreamHeads> heads = HeadsOf(impl_->db, **found);
  if (!heads.ok()) return heads.status();
  if (heads->RowFirst()) return heads->row->ingest_ms;
  return heads->chunk ? heads->chunk->second : int64_t{0};
}

}  // namespace ef::storage
