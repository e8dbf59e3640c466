// Store: the durable store-and-forward queue between ingest and uplink.
//
// Every event belongs to a stream (telemetry, alerts, aggregates, or any stream a connector
// or rule names); order is kept within a stream. Append assigns each event its per-gateway
// sequence number (strictly increasing across all streams, never reused, also across
// restarts) and returns once the group is committed with the configured durability. The
// uplink reads a stream in sequence order and acks events only after the cloud acknowledged
// them; only then are they removed. Whatever is appended and not acked survives a restart,
// unless a bound or a TTL removes it, and then it is counted (dropped, rejected, expired)
// per stream: nothing leaves the store uncounted.
//
// Implementations: storage::SqliteStore (the real one) and storage::MemStore (same
// behaviour in memory, for tests). All methods are thread-safe: the pipeline thread
// appends while the uplink thread reads and acks.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/event.h"
#include "core/status.h"

namespace ef {

// What was done to a stream's events besides delivering them.
struct StreamCounters {
  uint64_t dropped = 0;       // removed by drop_oldest to make room
  uint64_t rejected = 0;      // refused by reject_new
  uint64_t expired = 0;       // older than the stream's TTL
  uint64_t dead_lettered = 0;  // moved to the dead-letter table
};

struct StreamStats {
  std::string stream;
  uint64_t events = 0;         // waiting for an ack
  uint64_t bytes = 0;          // their accounted size
  int64_t oldest_ingest_ms = 0;  // 0 when empty
  StreamCounters counters;
  double drain_per_s = 0;       // last recorded drain rate (events acked per second)
  int64_t drain_measured_ms = 0;  // when it was measured (wall clock); 0 = never
};

struct StoreStats {
  uint64_t events = 0;
  uint64_t bytes = 0;
  uint64_t last_seq = 0;       // highest sequence number ever assigned
  uint64_t dead_letters = 0;   // rows in the dead-letter table
  std::vector<StreamStats> streams;  // sorted by name
};

// How fast the uplink drained a stream over its last measuring interval.
struct StreamRate {
  std::string stream;
  double events_per_s = 0;  // events acked per second; 0 = not draining
};

// A stream with events waiting, for the uplink's scheduler. Cheap to ask for.
struct StreamBacklog {
  std::string stream;
  uint64_t events = 0;
};

// When a TTL sweep runs (Store::Expire).
struct SweepTime {
  Clock::TimePoint now{};    // monotonic: ages are measured on it
  int64_t wall_ms = 0;       // the wall clock, ms since the Unix epoch
  bool wall_synced = false;  // whether the wall clock is synchronised (core/clock_watch.h)
  // The caller's last commit, when it knows it: every seq <= committed_seq was committed by
  // committed_at (monotonic). 0: unknown; events new since the last sweep count from `now`.
  uint64_t committed_seq = 0;
  Clock::TimePoint committed_at{};
};

// State a pipeline stage hands to the store to commit with a group of events (a window's
// open aggregates, a detector's baseline), under keys the stage owns ("<stage>/<key>").
struct StateEntry {
  std::string key;
  std::string value;   // opaque bytes
  bool erase = false;  // true: remove the key (value ignored)
};

// An event a pipeline stage refused (undecodable, breaking its data contract), with why. The
// pipeline commits it to the dead-letter table in the same group as the events it kept.
struct DeadLetterEntry {
  Event event;
  std::string reason;
};

class Store {
 public:
  virtual ~Store() = default;
  // Commits `events` and `state` as one group: all of it or nothing. Each stored event gets
  // its `seq`; an event refused by a reject_new bound keeps seq 0 (and is counted). The state
  // is written even when every event was refused by reject_new; entries apply in order (a
  // later entry for the same key wins). When a backpressure bound is reached the whole group
  // is refused with a retryable Status::Unavailable and neither events nor state are stored;
  // so is any failed group: no seq is consumed and the caller may retry.
  virtual Status Append(std::span<Event> events, std::span<const StateEntry> state) = 0;
  Status Append(std::span<Event> events) { return Append(events, {}); }
  // As Append, and in the same group writes `dead` to the dead-letter table (dead_time
  // `now_ms`), each counted as dead-lettered in its event's stream. A store without a
  // dead-letter table refuses a group with dead letters (Status::Permanent).
  virtual Status AppendWithDeadLetters(std::span<Event> events, std::span<const StateEntry> state,
                                       std::span<const DeadLetterEntry> dead, int64_t now_ms) {
    (void)now_ms;
    if (!dead.empty()) return Status::Permanent("this store keeps no dead letters");
    return Append(events, state);
  }
  // Appends to `out` the stored entries whose key starts with `prefix`, sorted by key.
  virtual Status ReadState(std::string_view prefix, std::vector<StateEntry>* out) = 0;
  // Appends to `out` up to `max` events of `stream` with seq > `after_seq`, in order.
  virtual Status ReadAfter(std::string_view stream, uint64_t after_seq, size_t max,
                           std::vector<Event>* out) = 0;
  // Removes delivered events of `stream`; unknown sequence numbers are ignored.
  virtual Status Ack(std::string_view stream, std::span<const uint64_t> seqs) = 0;
  // Moves undeliverable events of `stream` to the dead-letter table with `reason`.
  virtual Status DeadLetter(std::string_view stream, std::span<const uint64_t> seqs,
                            std::string_view reason, int64_t now_ms) = 0;
  // Removes (and counts) events older than their stream's TTL. Returns how many. An event's
  // age is the time that passed since it was committed, measured on the monotonic clock of
  // the sweeps, so no step of the wall clock makes an event older or younger. Events already
  // queued when the store was opened (by an earlier run) start, at the first sweep, as old as
  // the wall clock says (wall_ms - ingest time, never below 0) when the clock is synchronised
  // at that sweep and was when they were stamped, else at 0; from there they age on the
  // monotonic clock too. Call it regularly (every second): an event expires at most one call
  // interval (or a 2000th of the longest TTL, if that is more) after its TTL, never before.
  virtual Result<uint64_t> Expire(const SweepTime& at) = 0;
  virtual std::vector<StreamBacklog> Backlog() = 0;
  virtual Result<StoreStats> Stats() = 0;
  // Records the drain rate of each stream in `rates`, measured at `now_ms` (wall clock, ms
  // since the epoch), so that Stats() (also in another process: `edgeferry queue stats`)
  // reports it; streams not in `rates` keep what was recorded before. Stored durably, but
  // in a group of its own: callers write only when something changed (flash wear). On
  // failure nothing is recorded.
  virtual Status RecordDrainRates(std::span<const StreamRate> rates, int64_t now_ms) = 0;
};

}  // namespace ef
