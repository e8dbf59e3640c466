// The [queue] and [streams.NAME] sections: how received events are committed to the local
// queue, and the bounds and retention of each stream.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/config.h"
#include "storage/sqlite_store.h"
#include "storage/store_policy.h"

namespace ef::storage {

struct StreamConfig {
  std::string name;                    // the table's name: [streams.alerts] -> "alerts"
  int64_t priority = 0;                // Default: 0 (telemetry 10, aggregates 50, alerts 100)
  double min_share = 0.1;              // Default: 0.1 of the uplink while it has a backlog
  int64_t max_bytes = 0;               // Default: 0 = bounded by [queue] max_bytes only
  int64_t ttl_s = 0;                   // Default: 0 = never expires
  Overflow overflow = Overflow::kDropOldest;  // Default: drop_oldest | reject_new | backpressure
  bool live_first = true;              // catch_up; Default: live_first (alerts: in_order)
};

// The streams every gateway has unless configured otherwise.
std::vector<StreamConfig> DefaultStreams();

struct QueueConfig {
  int64_t commit_max_events = 1000;  // Default: 1000 events per SQLite transaction at most
  int64_t commit_interval_ms = 10;   // Default: 10 ms from receipt to commit at most
  int64_t memory_events = 10000;     // Default: 10000, bound of the in-memory hand-off queue
  Durability durability = Durability::kNormal;  // Default: "normal"; or "full" (power loss)
  int64_t max_bytes = int64_t{1} << 30;  // Default: 1 GiB for all streams together
  int64_t max_file_bytes = 0;         // Default: 0 = no limit on the file but the disk
  std::vector<StreamConfig> streams = DefaultStreams();  // telemetry, aggregates, alerts
};

// Fills `out` from the [queue] table; errors go to `errors` with their positions.
void BindQueueConfig(const ConfigNode& table, QueueConfig& out, ConfigErrors& errors);
// Fills `out.streams` from the [streams] table (one sub-table per stream).
void BindStreamsConfig(const ConfigNode& table, QueueConfig& out, ConfigErrors& errors);

StorePolicy ToStorePolicy(const QueueConfig& config);

// "normal" or "full", as in the configuration.
std::string_view DurabilityName(Durability durability);

}  // namespace ef::storage
