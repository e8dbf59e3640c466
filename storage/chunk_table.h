// ChunkTable: one stream's events stored as chunks, rows of the table c_<id> (sql.h), each
// holding the events one commit group inserted into the stream (storage/chunk_codec.h). The
// primitives SqliteStore offers QueueStore act on it with the same semantics as on one row per
// event: a removal of some events of a chunk rewrites it with the others, of all deletes it.
//
// Chunks of a stream never overlap in seq: Flush merges a group into any chunk its range would
// overlap (which the store's writers never cause, but a file may have been written by another
// process). The last decoded chunk is cached, so a reader going batch by batch through a chunk
// decompresses it once; the cache is keyed by the row's summary (a rewrite changes it) and
// forgotten by Invalidate (rollback, reload).
//
// Not thread-safe: used under the store's lock. REQUIRES: the Db and ChunkCodec outlive it.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "storage/chunk_codec.h"
#include "storage/queue_store.h"
#include "storage/sqlite_db.h"

namespace ef::storage {

// One event at a stream's head, as a head walk (drop_oldest, TTL) sees it.
struct HeadRow {
  uint64_t seq;
  uint64_t size;
  int64_t ingest_ms;
  bool clock_unsynced;
};

// Whether a head walk takes the next event, given what it removed so far.
using HeadTake = std::function<bool(const Removed&, const HeadRow&)>;
// Whether it surely takes every event of the next chunk (then not decoded).
using HeadWhole = std::function<bool(const Removed&, const ChunkSummary&)>;

class ChunkTable {
 public:
  // A group's events of a stream beyond these make a further chunk.
  static constexpr uint64_t kMaxChunkEvents = 1000;
  static constexpr size_t kMaxChunkRaw = 256 * 1024;  // serialised, before compression

  ChunkTable(Db* db, ChunkCodec* codec, std::string stream, std::string name);

  // Creates the table if `create`, else looks whether the file has it (an older file opened
  // read-only may not); then prepares its statements. exists() tells the outcome.
  Status Open(bool create);
  bool exists() const { return exists_; }

  // The current group's events of this stream, written as one chunk by Flush: at the store's
  // Commit, or before another primitive of the group reaches them (a removal of their seqs,
  // a head walk that gets past the stored chunks, a read).
  Status Add(const Event& event, uint64_t seq, uint64_t size);
  bool buffered() const { return !builder_.empty(); }
  // Whether the group left anything for Flush: events, or a head chunk partly taken.
  bool pending() const { return buffered() || trim_.has_value(); }
  // Writes what the group left pending: the trimmed head chunk, then the group's events.
  Status Flush();
  // Rollback: forgets what is pending and the cached chunk (a rewrite may be undone).
  void DropPending() {
    builder_.Clear();
    trim_.reset();
  }
  void Invalidate() { cached_ = false; }

  // Appends up to `max` events with seq > after_seq, in seq order.
  Status Read(uint64_t after_seq, size_t max, std::vector<Event>* out);
  // Removes the events with these seqs (sorted, unique); seqs in no chunk are ignored.
  Result<Removed> Remove(std::span<const uint64_t> seqs);
  // Appends the stored events with these seqs (sorted, unique) to `out`.
  Status Collect(std::span<const uint64_t> seqs, std::vector<ChunkEvent>* out);
  // Walks the events from the oldest while `take` says so, below `cap`, adding what it
  // removes to `removed`; `stopped` is set when `take` said no. A chunk that does not decode
  // is removed whole when the walk reaches it (its events counted as the walk's). Whole chunks are deleted at
  // once; one partly taken is kept decoded and rewritten at Flush, so that a group evicting
  // event by event (drop_oldest at the bound) rewrites the head chunk once, not per event.
  Status RemoveHead(const HeadTake& take, const HeadWhole& whole, uint64_t cap,
                    Removed* removed, bool* stopped);
  Status Usage(uint64_t* events, uint64_t* bytes);
  // The first stored seq and its ingest time, if any.
  Result<std::optional<std::pair<uint64_t, int64_t>>> Head();

 private:
  // Writes the group's events now if a primitive on the stored ones reaches `seq` or above.
  Status FlushIfReaches(uint64_t seq);
  // The first stored chunk (false: none).
  Result<bool> First(ChunkSummary* row);
  // Steps `stmt` (columns as sql::kChunkAt); false at its end.
  Result<bool> Row(sqlite3_stmt* stmt, ChunkSummary* row, const char* what);
  // The events of the row `stmt` stands on (cached).
  Result<const std::vector<ChunkEvent>*> EventsOf(sqlite3_stmt* stmt, const ChunkSummary& row);
  // The chunk starting last at or before `seq` (false: none), with a copy of its events when
  // `events` is not null.
  Result<bool> Find(uint64_t seq, ChunkSummary* row, std::vector<ChunkEvent>* events);
  Status Erase(uint64_t first_seq);
  // Replaces the chunk at `first_seq` by `events` (non-empty; cached afterwards).
  Status Rewrite(uint64_t first_seq, std::vector<ChunkEvent> events);
  Status InsertRow(const ChunkSummary& row, const std::string& blob);
  Status FlushMerging();

  // The head chunk as a head walk left it: its row (still as stored) and events, of which
  // the first `skip` are removed.
  struct Trim {
    uint64_t row_first = 0;
    std::vector<ChunkEvent> events;
    size_t skip = 0;
  };
  // Loads the head chunk for RemoveHead: a HeadStep (chunk_table.cpp); decoded into trim_
  // when it is to be walked event by event.
  Result<int> LoadHead(const HeadWhole& whole, uint64_t cap, const Removed& removed,
                       ChunkSummary* row);
  // Rewrites the trimmed head chunk, if any, with its events left.
  Status SettleHead();

  Db* db_;
  ChunkCodec* codec_;
  std::string stream_, name_;
  bool exists_ = false;
  Statement at_, from_, head_, insert_, erase_, usage_;
  ChunkBuilder builder_;
  std::string blob_;  // reused encoding buffer
  bool cached_ = false;
  ChunkSummary cached_row_;
  std::vector<ChunkEvent> cache_;
  std::optional<Trim> trim_;
};

}  // namespace ef::storage
