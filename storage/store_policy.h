// Bounds and retention of the store-and-forward queue: per stream and for the whole store.
// Plain values, built from the [queue] and [streams.NAME] configuration sections.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ef::storage {

// What happens to a new event when a bound is reached.
enum class Overflow {
  kDropOldest,    // remove the oldest events (of this stream, or for the store bound, of the
                  // lowest-priority stream) to make room; each removal is counted as dropped
  kRejectNew,     // refuse the new event; counted as rejected
  kBackpressure,  // refuse the whole group for now: ingest pauses until the uplink drains
};

struct StreamPolicy {
  std::string name;
  int64_t priority = 0;            // Default: 0; at the store bound, the lowest is evicted first
  uint64_t max_bytes = 0;          // Default: 0 = bounded only by the store
  int64_t ttl_ms = 0;              // Default: 0 = never expires
  Overflow overflow = Overflow::kDropOldest;  // Default: drop_oldest
};

struct StorePolicy {
  uint64_t max_bytes = uint64_t{1} << 30;  // Default: 1 GiB for all streams together
  std::vector<StreamPolicy> streams;       // configured streams
  StreamPolicy defaults;                   // for streams nobody configured

  // The policy of `stream` (its own, or the defaults).
  const StreamPolicy& For(std::string_view stream) const {
    for (const StreamPolicy& p : streams) {
      if (p.name == stream) return p;
    }
    return defaults;
  }
};

}  // namespace ef::storage
