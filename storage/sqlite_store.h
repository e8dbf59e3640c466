// SqliteStore: the durable Store, one SQLite database in WAL mode with a table per stream,
// where each commit group's events of the stream are one compressed row (a chunk:
// storage/chunk_table.h, chunk_codec.h), written at the group's commit.
//
// Each Append() is one transaction (the pipeline groups events before calling it), so a
// group is either wholly stored or not at all. Durability:
//   "normal": synchronous=NORMAL. A committed group survives a crash or kill of the process;
//             the groups committed in the last moments before a power loss or kernel crash
//             may be lost (the WAL is not yet synced); the database stays consistent.
//   "full":   synchronous=FULL. The WAL is synced at every commit: a committed group also
//             survives power loss.
// Sequence numbers, the per-stream counters and the stages' state are written in the same
// transaction as the events, so they are never reused or lost, even across restarts.
//
// Every member of an Event is stored; its fields in core/field_codec.h's encoding. A chunk
// that does not decode (a damaged file) is a Corruption status of Read naming its stream and
// first seq, until a bound or TTL reaches it and removes it whole, counted as dropped or
// expired. An event whose fields do not decode is still read, with its payload, empty fields and quality kBad
// (not a Corruption status: an event that cannot be read can never be acked either, and
// would stop its stream for good). A file written by an earlier version is upgraded at a
// read-write open (schema_upgrade.cpp); opened read-only it is read as it is.
//
// A damaged database found at Open (not a database, truncated, failing its integrity check)
// is moved aside as "<file>.corrupt-<UTC time>" with its -wal and -shm, and a fresh one is
// created; Open reports it so that the daemon can say so loudly. A fresh database continues
// its sequence numbers above the lease "<file>.seq" (storage/seq_lease.h), which the quarantine
// leaves in place, and after a quarantine also above `seq_floor`. `max_file_bytes` (or, when
// it is 0, nine tenths of the room on the file system) bounds the database and its WAL (the
// WAL is checkpointed at an eighth of it); reaching it, or a full disk, lowers the store
// bound to what fits and the overflow policy applies.
//
// Thread-safety: all methods are safe to call concurrently (QueueStore's mutex). The SQLite
// handle never leaves storage/.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "storage/queue_store.h"

namespace ef::storage {

enum class Durability { kNormal, kFull };

struct SqliteStoreOptions {
  std::string path;                             // database file; its folder must exist
  Durability durability = Durability::kNormal;  // Default: normal
  uint64_t max_file_bytes = 0;                  // Default: 0 = no limit but the disk
  bool read_only = false;  // Default: false. True: inspection only (queue stats)
  std::string now_utc;     // names a quarantined file; "YYYYmmddTHHMMSSZ"
  uint64_t seq_floor = 0;  // after a quarantine, sequence numbers continue above this and
                           // above the lease (the daemon: wall clock in microseconds)
};

// What the daemon wrote to storage since it started (flash wear), as it tells the store
// (NoteWrites) and as the store keeps it in the file for `queue stats`, another process.
struct StorageWrites {
  uint64_t bytes = 0;    // bytes written since the daemon started
  uint64_t events = 0;   // events queued (sequence numbers issued) since then
  int64_t since_ms = 0;  // wall clock of the daemon's start
  int64_t as_of_ms = 0;  // wall clock of the figure; 0 = none recorded
};

struct DeadLetterRow {
  uint64_t id = 0;
  Event event;  // with its original seq
  std::string reason;
  int64_t dead_time_ms = 0;
};

class SqliteStore final : public QueueStore {
 public:
  struct Opened;
  // Opens or creates the database. A damaged file is quarantined (see above) and named in
  // `quarantined` when not null. Fails, naming the file, only when no usable database can
  // be had (e.g. the folder is not writable).
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteStoreOptions& options,
                                                   StorePolicy policy,
                                                   std::string* quarantined = nullptr);
  ~SqliteStore() override;

  // Dead-letter administration (edgeferry queue dlq ...), oldest first. `ids` empty means
  // all. Not under the store's mutex: for a store of its own (the queue command's), not one
  // the pipeline and the uplink write to.
  Result<std::vector<DeadLetterRow>> ListDeadLetters(size_t limit, uint64_t only_id = 0);
  // The latest `limit` dead letters, newest first. Thread-safe like every Store method (it
  // takes the store's mutex), so the status page can call it while the daemon runs.
  Result<std::vector<DeadLetterRow>> RecentDeadLetters(size_t limit);
  // Moves dead letters back into their streams with new sequence numbers; returns how many.
  Result<uint64_t> ReplayDeadLetters(const std::vector<uint64_t>& ids);
  Result<uint64_t> PurgeDeadLetters(const std::vector<uint64_t>& ids);

  // Flash wear (storage_writes.cpp). The daemon's latest figure, stored with the next group:
  // at once when that group writes the sequence number anyway (same page), else once
  // kWritesEveryMs (by as_of_ms) after the figure stored last, so that it costs at most one
  // page a minute of its own. Thread-safe.
  void NoteWrites(const StorageWrites& writes);
  // Stores `writes` now, in a transaction of its own (a clean stop).
  Status SaveWrites(const StorageWrites& writes);
  // The figure as of the last group that stored one; as_of_ms 0 when the file has none
  // (written by an earlier version, or no daemon stored one yet).
  Result<StorageWrites> StoredWrites();
  static constexpr int64_t kWritesEveryMs = 60'000;

 protected:
  Status Begin() override;
  Status Commit() override;
  void Rollback() override;
  Status Insert(const Event& event, uint64_t seq, uint64_t size) override;
  // In stage_state.cpp.
  Status SaveStageState(std::span<const StateEntry> state) override;
  Status LoadStageState(const std::string& prefix, std::vector<StateEntry>* out) override;
  bool IsFull(const Status& status) const override;
  void ReclaimJournal() override;
  Result<Removed> RemoveOldest(const std::string& stream, uint64_t bytes) override;
  Result<Removed> Remove(const std::string& stream, std::span<const uint64_t> seqs) override;
  Status InsertDeadLetter(const DeadLetterEntry& dead, int64_t now_ms) override;
  Result<Removed> MoveToDeadLetters(const std::string& stream, std::span<const uint64_t> seqs,
                                    std::string_view reason, int64_t now_ms) override;
  Result<Removed> RemoveExpired(const std::string& stream, const ExpiryCut& cut) override;
  Status Read(const std::string& stream, uint64_t after_seq, size_t max,
              std::vector<Event>* out) override;
  Status SaveState(uint64_t last_seq,
                   const std::map<std::string, StreamCounters>& counters) override;
  Status LoadState(std::map<std::string, Usage>* usage,
                   std::map<std::string, StreamCounters>* counters, uint64_t* last_seq) override;
  Result<int64_t> OldestIngest(const std::string& stream) override;
  Result<uint64_t> DeadLetterCount() override;
  // In drain_rates.cpp.
  Status SaveDrainRates(std::span<const StreamRate> rates, int64_t now_ms) override;
  Status LoadDrainRates(std::map<std::string, DrainRate>* rates) override;
  bool ChangedElsewhere() override;

 private:
  struct Impl;
  SqliteStore(StorePolicy policy, std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "SQLite 3.40.1": the SQLite library linked at run time.
std::string SqliteLibraryVersion();

// Sets SQLite up for the whole process: each connection's page cache grows page by page as it
// is used, instead of starting with a bulk allocation of 20 pages (about 90 KB resident per
// connection, most of it unused by an idle gateway). The cache's bound (cache_size) is not
// changed. REQUIRES: called once, from main(), before any SQLite connection is opened (a
// later call has no effect).
void InitSqliteLibrary();

}  // namespace ef::storage
