// The [queue] section: how received events are committed to the local queue.
#pragma once

#include <cstdint>
#include <string>

#include "core/config.h"

namespace ef::storage {

struct QueueConfig {
  int64_t commit_max_events = 1000;  // Default: 1000 events per SQLite transaction at most
  int64_t commit_interval_ms = 10;   // Default: 10 ms from receipt to commit at most
  int64_t memory_events = 10000;     // Default: 10000, bound of the in-memory hand-off queue
  std::string durability = "normal";  // Default: "normal"; or "full" (survives power loss)
};

// Fills `out` from the [queue] table; errors go to `errors` with their positions.
void BindQueueConfig(const ConfigNode& table, QueueConfig& out, ConfigErrors& errors);

}  // namespace ef::storage
