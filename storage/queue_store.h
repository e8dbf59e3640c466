// QueueStore: the Store behaviour both implementations share (sequence numbers, bounds and
// overflow policies, TTL expiry, dead letters, counters), written once over a few storage
// primitives that SqliteStore and MemStore provide. Keeping the policy here is what stops the
// in-memory store used by tests from drifting away from the real one.
//
// Write-behind (PersistAfter, [queue] persist_after_ms): Append admits events (bounds, seq,
// accounting) into memory (storage/pending_events.h) instead of writing them; ReadAfter
// serves them from there and an Ack removes them without a write. Once the oldest pending
// event is older than the deadline, every pending event is written in one group (checked at
// Append, Ack and Expire; the pipeline sweeps every second). So a crash of the process loses
// at most the events admitted in the last deadline (plus up to a sweep interval when ingest
// is idle) that the cloud had not acknowledged; nothing written is ever lost. A group with
// stage state, a group that reaches a bound, a dead-lettering and a change by another
// process write all pending events first, so the stored rows stay a seq-ordered prefix of
// each stream. Sequence numbers are reserved in storage ahead of use (kSeqReserve at a time),
// so none is ever issued twice, also by another process or after a crash. Acks of events
// already written are deferred too: removed from Backlog, Stats and reads at once, deleted in
// the next group (at the latest the deadline later), so a drain does not write a page per
// publish; a crash before that group resends them (duplicates, same seq), never loses one.
//
// Thread-safety: every public method takes the store's mutex; primitives are called with it
// held, inside a group (Begin .. Commit/Rollback) where they write.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "core/store.h"
#include "storage/age_history.h"
#include "storage/budget.h"
#include "storage/pending_events.h"
#include "storage/store_policy.h"

namespace ef::storage {

// Rows removed by a primitive, for the accounting.
struct Removed {
  uint64_t events = 0;
  uint64_t bytes = 0;
};

// A stream's last recorded drain rate (see Store::RecordDrainRates).
struct DrainRate {
  double events_per_s = 0;
  int64_t measured_ms = 0;  // wall clock; 0 = never measured
};

class QueueStore : public Store {
 public:
  explicit QueueStore(StorePolicy policy);

  using Store::Append;
  Status Append(std::span<Event> events, std::span<const StateEntry> state) final;
  Status AppendWithDeadLetters(std::span<Event> events, std::span<const StateEntry> state,
                               std::span<const DeadLetterEntry> dead, int64_t now_ms) final;
  Status ReadState(std::string_view prefix, std::vector<StateEntry>* out) final;
  Status ReadAfter(std::string_view stream, uint64_t after_seq, size_t max,
                   std::vector<Event>* out) final;
  Status Ack(std::string_view stream, std::span<const uint64_t> seqs) final;
  Status DeadLetter(std::string_view stream, std::span<const uint64_t> seqs,
                    std::string_view reason, int64_t now_ms) final;
  Result<uint64_t> Expire(const SweepTime& at) final;
  std::vector<StreamBacklog> Backlog() final;
  Result<StoreStats> Stats() final;
  Status RecordDrainRates(std::span<const StreamRate> rates, int64_t now_ms) final;

  // Turns write-behind on (see above) with `after` > 0, measured on `clock`, which must
  // outlive the store. Call before the store is shared between threads.
  void PersistAfter(const Clock& clock, std::chrono::milliseconds after);
  // Writes every pending event now (shutdown) and stores the last issued seq in place of
  // the reservation. Ok when there is nothing to write.
  Status PersistPending();
  // Events admitted but not yet written (write-behind).
  uint64_t PendingCount();

  static constexpr uint64_t kSeqReserve = 100'000;
  static constexpr uint64_t kMaxPendingEvents = 200'000;  // written at once beyond this
  // ... or beyond this many accounted bytes (an event takes 3-4x its ByteSize in memory):
  // what ingest faster than the cloud piles up within persist_after_ms stays a few MB.
  static constexpr uint64_t kMaxPendingBytes = 1 << 20;
  static constexpr uint64_t kMaxDeferredAcks = 20'000;     // deleted at once beyond this
  static constexpr size_t kWriteChunk = 200;               // pending events per group

 protected:
  // Loads usage, counters and the last sequence number from storage. Called once after the
  // implementation opened its storage, and again when another process changed it.
  Status Reload();

  // Runs `read` with the store's mutex held: for an implementation's own queries outside the
  // primitives that must not interleave with a group (SqliteStore::RecentDeadLetters).
  template <class Read>
  auto WithLock(Read read) {
    std::lock_guard lock(mu_);
    return read();
  }

  // --- primitives -----------------------------------------------------------------------
  // A group: everything between Begin and Commit is stored atomically or not at all.
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual void Rollback() = 0;
  // Status::IoError with "full" semantics is reported through IsFull().
  virtual Status Insert(const Event& event, uint64_t seq, uint64_t size) = 0;
  // Upserts (or, for `erase`, deletes) the stage state entries in order, inside the group.
  // REQUIRES: !state.empty() (an Append without state does no state work at all).
  virtual Status SaveStageState(std::span<const StateEntry> state) = 0;
  // Appends the committed entries whose key starts with `prefix` to `out`, sorted by key.
  virtual Status LoadStageState(const std::string& prefix, std::vector<StateEntry>* out) = 0;
  virtual bool IsFull(const Status& status) const = 0;
  // After a group failed for a full disk (and was rolled back): gives the journal's space
  // back (SQLite: checkpoint and truncate the WAL), so that the retry does not fail only
  // because no commit ever succeeds to trigger that checkpoint. Best effort.
  virtual void ReclaimJournal() {}
  // Removes the oldest events of `stream` until at least `bytes` are freed or it is empty.
  virtual Result<Removed> RemoveOldest(const std::string& stream, uint64_t bytes) = 0;
  virtual Result<Removed> Remove(const std::string& stream, std::span<const uint64_t> seqs) = 0;
  // Writes `dead` (an event never stored in its stream) to the dead letters, inside the group.
  virtual Status InsertDeadLetter(const DeadLetterEntry& dead, int64_t now_ms) = 0;
  virtual Result<Removed> MoveToDeadLetters(const std::string& stream,
                                            std::span<const uint64_t> seqs,
                                            std::string_view reason, int64_t now_ms) = 0;
  // Removes the oldest events of `stream` as long as `cut` says they expired.
  virtual Result<Removed> RemoveExpired(const std::string& stream, const ExpiryCut& cut) = 0;
  virtual Status Read(const std::string& stream, uint64_t after_seq, size_t max,
                      std::vector<Event>* out) = 0;
  virtual Status SaveState(uint64_t last_seq,
                           const std::map<std::string, StreamCounters>& counters) = 0;
  // Usage per stream, counters and last_seq as stored (for Reload).
  virtual Status LoadState(std::map<std::string, Usage>* usage,
                           std::map<std::string, StreamCounters>* counters,
                           uint64_t* last_seq) = 0;
  virtual Result<int64_t> OldestIngest(const std::string& stream) = 0;
  virtual Result<uint64_t> DeadLetterCount() = 0;
  // Upserts the drain rates (inside a group); LoadDrainRates reads all of them (for Reload),
  // finding none in storage written before rates were recorded.
  virtual Status SaveDrainRates(std::span<const StreamRate> rates, int64_t now_ms) = 0;
  virtual Status LoadDrainRates(std::map<std::string, DrainRate>* rates) = 0;
  // True when another process (e.g. `edgeferry queue dlq replay`) wrote since last asked.
  virtual bool ChangedElsewhere() = 0;

 private:
  struct Snapshot;
  Status AppendGroup(std::span<Event> events, std::span<const StateEntry> state);
  // Applies the bounds to `event` and inserts it with the next seq, or with `seq` when not 0
  // (a pending event written at last, which keeps the seq it was read with).
  Status AdmitOne(Event& event, uint64_t seq = 0);
  // Runs `body` as one group and saves the counters with it; restores the accounting if the
  // group fails.
  template <class Body>
  Status InGroup(Body body);
  Status RefreshIfChanged();
  // Write-behind (write_behind.cpp). True when all of `events` fitted as they are and were
  // admitted to memory; false (nothing changed) when a bound needs the written path.
  bool AdmitPending(std::span<Event> events);
  Status AppendPending(std::span<Event> events, bool* admitted);
  Status PersistIfDue();
  // Inserts every pending event inside the current group, through the bounds again (the disk
  // or the file limit may be full): one may evict older rows or be refused, and is counted
  // so. They leave memory at the group's commit.
  // At most `limit` events (the oldest of each stream first), so that a small disk is not
  // asked for one huge group.
  Status WritePendingInGroup(size_t limit = SIZE_MAX);
  // A group failed for a full disk: the bound becomes what fits, every later group is written
  // before it is sent, the next pending chunk is smaller, and the journal's space comes back.
  void OnDiskFull();
  // Deletes the deferred acks inside the current group (before anything else in it).
  Status ApplyDeferredAcksInGroup();
  uint64_t DeferredOf(const std::string& stream) const;
  // Defers the acks of `seqs` that this run read from storage (their size is known, so the
  // accounting is exact at once); the others go to `unread`, deleted at once.
  void DeferAcks(const std::string& stream, std::span<const uint64_t> seqs,
                 std::vector<uint64_t>* unread);
  // Removes the events of `stream` in out[from..] whose acks are deferred.
  void DropDeferred(const std::string& stream, size_t from, std::vector<Event>* out);
  // One group that writes every pending event; one that only stores reserved_seq_.
  Status WritePending();
  Status StoreReservation();
  Status ReadPendingAfter(const std::string& stream, uint64_t after_seq, size_t max,
                          std::vector<Event>* out);

  std::mutex mu_;
  const StorePolicy policy_;
  Budget budget_;
  std::map<std::string, StreamCounters> counters_;
  std::map<std::string, DrainRate> drain_rates_;
  uint64_t last_seq_ = 0;
  AgeHistory ages_;
  // Write-behind: off while clock_ is null.
  const Clock* clock_ = nullptr;
  Clock::Duration persist_after_{};
  PendingEvents pending_;
  // What WritePendingInGroup wrote in the current group: leaves memory at the commit.
  std::map<std::string, std::vector<uint64_t>> written_in_group_;
  size_t write_chunk_ = kWriteChunk;  // halved while the disk is full, doubled back after
  // Once the disk or the file limit was found full, this run writes every group before it
  // is sent (as persist_after_ms = 0): big deferred groups do not fit a full disk.
  bool disk_was_full_ = false;
  uint64_t reserved_seq_ = 0;      // stored as last_seq: no seq up to it is issued elsewhere
  // Written events the cloud acknowledged, not yet deleted (write-behind), by stream.
  std::map<std::string, std::set<uint64_t>> deferred_acks_;
  uint64_t deferred_count_ = 0;
  Clock::TimePoint deferred_since_{};
  bool deferred_in_group_ = false;
  // Size of each stored event handed out by ReadAfter and not acked yet (write-behind).
  std::map<std::pair<std::string, uint64_t>, uint64_t> read_sizes_;
};

}  // namespace ef::storage
