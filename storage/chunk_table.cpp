#include "storage/chunk_table.h"

#include <algorithm>

#include "storage/sql.h"
#include "storage/sqlite_store_impl.h"

namespace ef::storage {
namespace {

constexpr int kData = 5;  // the blob's column in sql::kChunkAt's layout

void BindRow(sqlite3_stmt* stmt, int first, const ChunkSummary& row, const std::string& blob) {
  sqlite3_bind_int64(stmt, first, static_cast<sqlite3_int64>(row.first_seq));
  sqlite3_bind_int64(stmt, first + 1, static_cast<sqlite3_int64>(row.last_seq));
  sqlite3_bind_int64(stmt, first + 2, static_cast<sqlite3_int64>(row.count));
  sqlite3_bind_int64(stmt, first + 3, static_cast<sqlite3_int64>(row.bytes));
  sqlite3_bind_int64(stmt, first + 4, row.oldest_ingest);
  sqlite3_bind_blob(stmt, first + 5, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
}

bool SameRow(const ChunkSummary& a, const ChunkSummary& b) {
  return a.first_seq == b.first_seq && a.last_seq == b.last_seq && a.count == b.count &&
         a.bytes == b.bytes;
}

}  // namespace

ChunkTable::ChunkTable(Db* db, ChunkCodec* codec, std::string stream, std::string name)
    : db_(db), codec_(codec), stream_(std::move(stream)), name_(std::move(name)) {}

Status ChunkTable::Open(bool create) {
  if (create) {
    const std::string sql = FillIn(sql::kCreateChunkTable, name_);
    if (Status s = db_->Exec(sql.c_str(), "create " + name_); !s.ok()) return s;
  } else {
    Statement exists;
    if (Status s = db_->Prepare(sql::kTableExists, &exists); !s.ok()) return s;
    BindText(exists.get(), 1, name_);
    if (sqlite3_step(exists.get()) != SQLITE_ROW || sqlite3_column_int(exists.get(), 0) == 0) {
      return Status::Ok();
    }
  }
  exists_ = true;
  const std::pair<const char*, Statement*> statements[] = {
      {sql::kChunkAt, &at_},           {sql::kChunksFrom, &from_},
      {sql::kChunkHead, &head_},       {sql::kInsertChunk, &insert_},
      {sql::kDeleteChunk, &erase_},    {sql::kChunkUsage, &usage_}};
  for (const auto& [text, stmt] : statements) {
    if (Status s = db_->Prepare(FillIn(text, name_), stmt); !s.ok()) return s;
  }
  return Status::Ok();
}

Status ChunkTable::Add(const Event& event, uint64_t seq, uint64_t size) {
  if (!builder_.empty() && seq <= builder_.summary().last_seq) {
    if (Status s = Flush(); !s.ok()) return s;  // keeps each chunk in seq order
  }
  builder_.Add(event, seq, size);
  // A huge group (a replay of every dead letter) becomes several chunks: a read, a partial
  // ack and a cached chunk stay bounded.
  const bool full =
      builder_.summary().count >= kMaxChunkEvents || builder_.raw().size() >= kMaxChunkRaw;
  return full ? Flush() : Status::Ok();
}

Result<bool> ChunkTable::Row(sqlite3_stmt* stmt, ChunkSummary* row, const char* what) {
  const int rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) return false;
  if (rc != SQLITE_ROW) return FromSqlite(db_->handle(), rc, what);
  row->first_seq = static_cast<uint64_t>(sqlite3_column_int64(stmt, 0));
  row->last_seq = static_cast<uint64_t>(sqlite3_column_int64(stmt, 1));
  row->count = static_cast<uint64_t>(sqlite3_column_int64(stmt, 2));
  row->bytes = static_cast<uint64_t>(sqlite3_column_int64(stmt, 3));
  row->oldest_ingest = sqlite3_column_int64(stmt, 4);
  return true;
}

Result<const std::vector<ChunkEvent>*> ChunkTable::EventsOf(sqlite3_stmt* stmt,
                                                            const ChunkSummary& row) {
  if (cached_ && SameRow(cached_row_, row)) return &cache_;
  cached_ = false;
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt, kData));
  const auto size = static_cast<size_t>(sqlite3_column_bytes(stmt, kData));
  if (Status s = codec_->Decode(std::string_view(data, size), stream_, row.first_seq, &cache_);
      !s.ok()) {
    return s;
  }
  if (cache_.size() != row.count) {
    return Status::Corruption("stream '" + stream_ + "': chunk at seq " +
                              std::to_string(row.first_seq) + ": holds " +
                              std::to_string(cache_.size()) + " events, its row says " +
                              std::to_string(row.count));
  }
  cached_ = true;
  cached_row_ = row;
  return &cache_;
}

Result<bool> ChunkTable::Find(uint64_t seq, ChunkSummary* row, std::vector<ChunkEvent>* events) {
  sqlite3_stmt* at = at_.get();
  ResetOnExit reset(at);
  sqlite3_bind_int64(at, 1, static_cast<sqlite3_int64>(seq));
  Result<bool> found = Row(at, row, "find chunk");
  if (!found.ok() || !*found || events == nullptr) return found;
  Result<const std::vector<ChunkEvent>*> decoded = EventsOf(at, *row);
  if (!decoded.ok()) return decoded.status();
  *events = **decoded;
  return true;
}

Status ChunkTable::Erase(uint64_t first_seq) {
  if (cached_ && cached_row_.first_seq == first_seq) cached_ = false;
  sqlite3_bind_int64(erase_.get(), 1, static_cast<sqlite3_int64>(first_seq));
  return db_->Step(erase_.get(), "delete chunk");
}

Status ChunkTable::Rewrite(uint64_t first_seq, std::vector<ChunkEvent> events) {
  cached_ = false;
  ChunkSummary row;
  if (Status s = codec_->Encode(events, &blob_, &row); !s.ok()) return s;
  // Deleted, then inserted: the old row's pages are free before the new one takes pages (an
  // UPDATE allocates first), so a rewrite needs no room beyond what the chunk had, which
  // matters at a full disk, where drop_oldest rewrites the head chunk.
  if (Status s = Erase(first_seq); !s.ok()) return s;
  if (Status s = InsertRow(row, blob_); !s.ok()) return s;
  cache_ = std::move(events);  // what a reader reads next (the rest of a partly acked chunk)
  cached_row_ = row;
  cached_ = true;
  return Status::Ok();
}

Status ChunkTable::InsertRow(const ChunkSummary& row, const std::string& blob) {
  BindRow(insert_.get(), 1, row, blob);
  return db_->Step(insert_.get(), "insert chunk");
}

Status ChunkTable::Flush() {
  if (Status s = SettleHead(); !s.ok()) return s;
  if (builder_.empty()) return Status::Ok();
  if (insert_ == nullptr) return Status::Permanent("insert event: read-only store");
  // The chunk starting last at or before the group's last seq: if it reaches the group's
  // first seq, they overlap (chunks never overlap each other, so no earlier one can).
  ChunkSummary row;
  Result<bool> found = Find(builder_.summary().last_seq, &row, nullptr);
  if (!found.ok()) return found.status();
  if (*found && row.last_seq >= builder_.summary().first_seq) return FlushMerging();
  if (Status s = codec_->Encode(builder_, &blob_); !s.ok()) return s;
  Status s = InsertRow(builder_.summary(), blob_);
  builder_.Clear();
  return s;
}

// Rare: a group whose seqs fall within a stored chunk's range (another writer). They become
// one chunk, in seq order; a seq stored twice is kept once.
Status ChunkTable::FlushMerging() {
  std::vector<ChunkEvent> merged, theirs;
  if (Status s = codec_->Encode(builder_, &blob_); !s.ok()) return s;
  if (Status s = codec_->Decode(blob_, stream_, builder_.summary().first_seq, &merged); !s.ok()) {
    return s;
  }
  builder_.Clear();
  const auto by_seq = [](const ChunkEvent& a, const ChunkEvent& b) {
    return a.event.seq < b.event.seq;
  };
  const auto same_seq = [](const ChunkEvent& a, const ChunkEvent& b) {
    return a.event.seq == b.event.seq;
  };
  for (;;) {
    ChunkSummary row;
    Result<bool> found = Find(merged.back().event.seq, &row, &theirs);
    if (!found.ok()) return found.status();
    if (!*found || row.last_seq < merged.front().event.seq) break;
    if (Status s = Erase(row.first_seq); !s.ok()) return s;
    merged.insert(merged.end(), theirs.begin(), theirs.end());
    std::stable_sort(merged.begin(), merged.end(), by_seq);
    merged.erase(std::unique(merged.begin(), merged.end(), same_seq), merged.end());
  }
  ChunkSummary row;
  if (Status s = codec_->Encode(merged, &blob_, &row); !s.ok()) return s;
  return InsertRow(row, blob_);
}

Status ChunkTable::FlushIfReaches(uint64_t seq) {
  if (Status s = SettleHead(); !s.ok()) return s;
  return buffered() && seq >= builder_.summary().first_seq ? Flush() : Status::Ok();
}

Status ChunkTable::Read(uint64_t after_seq, size_t max, std::vector<Event>* out) {
  if (max == 0) return Status::Ok();
  if (Status s = FlushIfReaches(UINT64_MAX); !s.ok()) return s;
  uint64_t from = after_seq + 1;
  ChunkSummary row;
  Result<bool> found = Find(from, &row, nullptr);
  if (!found.ok()) return found.status();
  if (*found && row.last_seq >= from) from = row.first_seq;
  sqlite3_stmt* chunks = from_.get();
  ResetOnExit reset(chunks);
  sqlite3_bind_int64(chunks, 1, static_cast<sqlite3_int64>(from));
  size_t taken = 0;
  while (taken < max) {
    Result<bool> more = Row(chunks, &row, "read chunks");
    if (!more.ok()) return more.status();
    if (!*more) break;
    Result<const std::vector<ChunkEvent>*> events = EventsOf(chunks, row);
    if (!events.ok()) return events.status();
    for (const ChunkEvent& e : **events) {
      if (e.event.seq <= after_seq) continue;
      out->push_back(e.event);
      if (++taken == max) break;
    }
  }
  return Status::Ok();
}

Result<Removed> ChunkTable::Remove(std::span<const uint64_t> seqs) {
  Removed removed;
  if (seqs.empty()) return removed;
  if (Status s = FlushIfReaches(seqs.back()); !s.ok()) return s;
  std::vector<ChunkEvent> events, kept;
  for (size_t i = 0; i < seqs.size();) {
    ChunkSummary row;
    Result<bool> found = Find(seqs[i], &row, nullptr);
    if (!found.ok()) return found.status();
    if (!*found || row.last_seq < seqs[i]) {
      ++i;
      continue;
    }
    const size_t end = static_cast<size_t>(
        std::upper_bound(seqs.begin() + static_cast<ptrdiff_t>(i), seqs.end(), row.last_seq) -
        seqs.begin());
    const std::span<const uint64_t> mine = seqs.subspan(i, end - i);
    i = end;
    if (mine.size() == row.last_seq - row.first_seq + 1) {  // every seq of its range: all
      if (Status s = Erase(row.first_seq); !s.ok()) return s;
      removed.events += row.count;
      removed.bytes += row.bytes;
      continue;
    }
    if (Result<bool> again = Find(row.first_seq, &row, &events); !again.ok()) {
      return again.status();
    }
    kept.clear();
    for (ChunkEvent& e : events) {
      if (std::binary_search(mine.begin(), mine.end(), e.event.seq)) {
        ++removed.events;
        removed.bytes += e.size;
      } else {
        kept.push_back(std::move(e));
      }
    }
    if (kept.size() == events.size()) continue;
    Status s = kept.empty() ? Erase(row.first_seq) : Rewrite(row.first_seq, std::move(kept));
    if (!s.ok()) return s;
  }
  return removed;
}

Status ChunkTable::Collect(std::span<const uint64_t> seqs, std::vector<ChunkEvent>* out) {
  if (seqs.empty()) return Status::Ok();
  if (Status s = FlushIfReaches(seqs.back()); !s.ok()) return s;
  std::vector<ChunkEvent> events;
  for (size_t i = 0; i < seqs.size();) {
    ChunkSummary row;
    Result<bool> found = Find(seqs[i], &row, &events);
    if (!found.ok()) return found.status();
    if (!*found || row.last_seq < seqs[i]) {
      ++i;
      continue;
    }
    for (; i < seqs.size() && seqs[i] <= row.last_seq; ++i) {
      auto it = std::lower_bound(events.begin(), events.end(), seqs[i],
                                 [](const ChunkEvent& e, uint64_t s) { return e.event.seq < s; });
      if (it != events.end() && it->event.seq == seqs[i]) out->push_back(*it);
    }
  }
  return Status::Ok();
}

// What RemoveHead does with the head chunk it looked at.
enum class HeadStep { kDone, kFlush, kWhole, kWalk };

Result<int> ChunkTable::LoadHead(const HeadWhole& whole, uint64_t cap, const Removed& removed,
                                 ChunkSummary* row) {
  sqlite3_stmt* head = head_.get();
  ResetOnExit reset(head);
  Result<bool> found = Row(head, row, "read head chunk");
  if (!found.ok()) return found.status();
  if (buffered() && (!*found || row->first_seq > builder_.summary().first_seq)) {
    return static_cast<int>(HeadStep::kFlush);  // the walk reaches this group's events
  }
  if (!*found || row->first_seq >= cap) return static_cast<int>(HeadStep::kDone);
  if (row->last_seq < cap && whole(removed, *row)) return static_cast<int>(HeadStep::kWhole);
  Result<const std::vector<ChunkEvent>*> decoded = EventsOf(head, *row);
  // A chunk that does not decode can be neither read nor acked: the bound or TTL that reaches
  // it removes it whole (its row has the counts), rather than failing every group or sweep.
  if (!decoded.ok() && decoded.status().code() == Status::Code::kCorruption) {
    return static_cast<int>(HeadStep::kWhole);
  }
  if (!decoded.ok()) return decoded.status();
  trim_ = Trim{row->first_seq, **decoded, 0};
  return static_cast<int>(HeadStep::kWalk);
}

Status ChunkTable::RemoveHead(const HeadTake& take, const HeadWhole& whole, uint64_t cap,
                              Removed* removed, bool* stopped) {
  for (;;) {
    if (!trim_) {
      ChunkSummary row;
      Result<int> step = LoadHead(whole, cap, *removed, &row);
      if (!step.ok()) return step.status();
      switch (static_cast<HeadStep>(*step)) {
        case HeadStep::kDone:
          return Status::Ok();
        case HeadStep::kFlush:
          if (Status s = Flush(); !s.ok()) return s;
          continue;
        case HeadStep::kWhole:  // not decoded
          removed->events += row.count;
          removed->bytes += row.bytes;
          if (Status s = Erase(row.first_seq); !s.ok()) return s;
          continue;
        case HeadStep::kWalk:
          break;
      }
    }
    // Event by event; a chunk left partly taken is rewritten once, at Flush (the group's
    // commit or the next other primitive), however many walks of the group trimmed it.
    Trim& t = *trim_;
    for (; t.skip < t.events.size(); ++t.skip) {
      const Event& e = t.events[t.skip].event;
      if (e.seq >= cap) return Status::Ok();
      if (!take(*removed, HeadRow{e.seq, t.events[t.skip].size, e.ingest_time_ms,
                                  e.clock_unsynced})) {
        *stopped = true;
        return Status::Ok();
      }
      ++removed->events;
      removed->bytes += t.events[t.skip].size;
    }
    const uint64_t first = t.row_first;
    trim_.reset();
    if (Status s = Erase(first); !s.ok()) return s;
  }
}

Status ChunkTable::SettleHead() {
  if (!trim_) return Status::Ok();
  Trim t = std::move(*trim_);
  trim_.reset();
  if (t.skip == 0) return Status::Ok();
  t.events.erase(t.events.begin(), t.events.begin() + static_cast<ptrdiff_t>(t.skip));
  return Rewrite(t.row_first, std::move(t.events));
}

Status ChunkTable::Usage(uint64_t* events, uint64_t* bytes) {
  if (Status s = SettleHead(); !s.ok()) return s;
  sqlite3_stmt* sum = usage_.get();
  ResetOnExit reset(sum);
  const int rc = sqlite3_step(sum);
  if (rc != SQLITE_ROW) return FromSqlite(db_->handle(), rc, "chunk usage");
  *events = static_cast<uint64_t>(sqlite3_column_int64(sum, 0));
  *bytes = static_cast<uint64_t>(sqlite3_column_int64(sum, 1));
  return Status::Ok();
}

Result<bool> ChunkTable::First(ChunkSummary* row) {
  sqlite3_stmt* head = head_.get();
  ResetOnExit reset(head);
  return Row(head, row, "read head chunk");
}

Result<std::optional<std::pair<uint64_t, int64_t>>> ChunkTable::Head() {
  if (trim_ && trim_->skip < trim_->events.size()) {  // a head walk of this group trimmed it
    const Event& e = trim_->events[trim_->skip].event;
    return std::optional<std::pair<uint64_t, int64_t>>(std::pair(e.seq, e.ingest_time_ms));
  }
  if (Status s = SettleHead(); !s.ok()) return s;
  ChunkSummary row;
  Result<bool> found = First(&row);
  if (found.ok() && buffered() && (!*found || row.first_seq > builder_.summary().first_seq)) {
    if (Status s = Flush(); !s.ok()) return s;  // the group's events are the head
    found = First(&row);
  }
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<std::pair<uint64_t, int64_t>>();
  return std::optional<std::pair<uint64_t, int64_t>>(std::pair(row.first_seq, row.oldest_ingest));
}

}  // namespace ef::storage
