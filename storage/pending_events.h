// PendingEvents: the write-behind tier of the queue ([queue] persist_after_ms): events the
// store admitted (bounds applied, seq assigned, accounted in the Budget) but has not written
// to storage yet, kept per stream in seq order. The uplink reads them from here and an ack
// removes them without any write; whatever is still here when the oldest entry is older than
// the deadline is written in one group (QueueStore::PersistPending), so a cloud that keeps
// pace causes no writes at all for its events.
//
// Invariant kept by QueueStore: in each stream every pending seq is above every stored seq,
// so "stored rows, then pending ones" is seq order.
//
// Not thread-safe: QueueStore's mutex guards it.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/event.h"
#include "storage/age_history.h"

namespace ef::storage {

struct Removed;

class PendingEvents {
 public:
  struct Entry {
    Event event;  // with its seq
    uint64_t size = 0;
    Clock::TimePoint at{};  // when it was admitted
  };
  using Stream = std::map<uint64_t, Entry>;  // by seq

  void Add(Event event, uint64_t size, Clock::TimePoint at);
  bool empty() const { return events_ == 0; }
  uint64_t events() const { return events_; }
  uint64_t bytes() const { return bytes_; }  // their accounted sizes (Event::ByteSize)
  // When the oldest pending event (of any stream) was admitted. REQUIRES: !empty().
  Clock::TimePoint OldestAt() const;
  // Copies up to `max` events of `stream` with seq > after_seq to `out`, in order.
  void Read(const std::string& stream, uint64_t after_seq, size_t max,
            std::vector<Event>* out) const;
  // Removes the pending events of `stream` among `seqs`; the seqs not pending go to `rest`.
  Removed Take(const std::string& stream, std::span<const uint64_t> seqs,
               std::vector<uint64_t>* rest);
  // Removes the oldest events of `stream` as long as `cut` says they expired.
  Removed TakeExpired(const std::string& stream, const ExpiryCut& cut);
  // Removes every event with seq > `after` (an admission undone).
  void DropAbove(uint64_t after);
  // Ingest time of the oldest pending event of `stream`; 0 when none.
  int64_t OldestIngest(const std::string& stream) const;
  uint64_t CountOf(const std::string& stream) const;
  const std::map<std::string, Stream>& streams() const { return streams_; }
  void Clear();

 private:
  std::map<std::string, Stream> streams_;
  uint64_t events_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace ef::storage
