// AgeHistory: how long ago events were committed, on the monotonic clock, by sequence number.
// It is what makes TTL ages immune to steps of the wall clock (see Store::Expire for the rule).
//
// Sequence numbers grow in commit order, so noting at every TTL sweep the highest seq committed
// so far (and when: at the caller's last commit, or else at the sweep) gives, for any age, the
// highest seq committed at least that long ago: an event is never aged more than the time
// that really passed. The first note also keeps the wall clock
// and the seq reached when this run started, to age the events an earlier run left queued.
//
// Memory: no three samples lie within `resolution` (1 s, or a 2000th of the longest TTL if
// that is more), and only the last `max_ttl` of them are kept: at most about 4,000 samples.
// An event thus expires at most one sweep interval plus `resolution` after its TTL.
//
// Not thread-safe: QueueStore's mutex guards it.
#pragma once

#include <cstdint>
#include <deque>
#include <limits>

#include "core/store.h"

namespace ef::storage {

// Which events of one stream a sweep expires (ExpiryCut::Expired).
struct ExpiryCut {
  uint64_t max_seq = 0;  // committed at least the TTL ago
  // Events of an earlier run (seq <= earlier_max_seq) stamped while the clock was
  // synchronised also expire when ingested before earlier_ingest_before_ms.
  uint64_t earlier_max_seq = 0;
  int64_t earlier_ingest_before_ms = std::numeric_limits<int64_t>::min();

  bool Expired(uint64_t seq, int64_t ingest_ms, bool clock_unsynced) const {
    if (seq <= max_seq) return true;
    return seq <= earlier_max_seq && !clock_unsynced && ingest_ms < earlier_ingest_before_ms;
  }
};

class AgeHistory {
 public:
  // `max_ttl_ms`: the longest TTL of any stream.
  explicit AgeHistory(int64_t max_ttl_ms);

  // Notes that every seq <= last_seq was committed by `at.now` (or by at.committed_at when
  // at.committed_seq == last_seq). The first call is the start.
  void Note(const SweepTime& at, uint64_t last_seq);
  // The cut for a stream with TTL `ttl_ms`, as of the last Note. REQUIRES: Note was called.
  ExpiryCut CutFor(int64_t ttl_ms) const;

 private:
  struct Sample {
    Clock::TimePoint at;
    uint64_t seq;
  };

  const Clock::Duration span_;
  const Clock::Duration resolution_;
  std::deque<Sample> samples_;  // oldest first
  Clock::TimePoint last_note_{};
  // The start of this run: the first Note.
  bool started_ = false;
  SweepTime start_time_;
  uint64_t start_seq_ = 0;
};

}  // namespace ef::storage
