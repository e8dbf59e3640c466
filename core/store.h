// Store: the durable store-and-forward queue between ingest and uplink.
//
// Events are appended in groups; Append assigns each event its per-gateway sequence number
// (strictly increasing, never reused, also across restarts) and returns only once the group
// is committed with the configured durability. The uplink reads events in sequence order and
// calls Ack() only after the cloud acknowledged them; only then are they removed. Whatever is
// appended and not acked survives a restart.
//
// Implementations: storage::SqliteStore (the real one) and storage::MemStore (for tests).
// All methods are thread-safe: the committer thread appends while the uplink thread reads
// and acks.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace ef {

struct StoreStats {
  uint64_t events = 0;         // events waiting for an ack
  uint64_t bytes = 0;          // their payload bytes
  uint64_t last_seq = 0;       // highest sequence number ever assigned
  int64_t oldest_ingest_ms = 0;  // ingest time of the oldest waiting event; 0 when empty
};

class Store {
 public:
  virtual ~Store() = default;
  // Commits all `events` in one group and sets their `seq`. On failure nothing of the group
  // is stored and no seq is consumed; the caller still owns the events and may retry.
  virtual Status Append(std::span<Event> events) = 0;
  // Appends to `out` up to `max` stored events with seq > `after_seq`, in sequence order.
  virtual Status ReadAfter(uint64_t after_seq, size_t max, std::vector<Event>* out) = 0;
  // Removes the events with these sequence numbers; unknown ones are ignored.
  virtual Status Ack(std::span<const uint64_t> seqs) = 0;
  virtual Result<StoreStats> Stats() = 0;
};

}  // namespace ef
