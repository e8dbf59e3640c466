// The [queue] section and storage's keys of [streams.NAME]: how received events are
// committed to the local queue, and the bounds and retention of each stream. The uplink binds
// its own keys of [streams.NAME] (uplink/uplink_config.h); `priority` is read by both: the
// store evicts the lowest priority first when its bound is reached.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/config_bind.h"
#include "storage/sqlite_store.h"
#include "storage/store_policy.h"

namespace ef::storage {

struct StreamConfig {
  std::string name;                    // the table's name: [streams.alerts] -> "alerts"
  int64_t priority = 0;                // Default: 0 (telemetry 10, aggregates 50, alerts 100)
  int64_t max_bytes = 0;               // Default: 0 = bounded by [queue] max_bytes only
  int64_t ttl_s = 0;                   // Default: 0 = never expires
  Overflow overflow = Overflow::kDropOldest;  // Default: drop_oldest | reject_new | backpressure
};

// The streams every gateway has unless configured otherwise.
std::vector<StreamConfig> DefaultStreams();

struct QueueConfig {
  int64_t commit_max_events = 1000;  // Default: 1000 events per SQLite transaction at most
  int64_t commit_interval_ms = 10;   // Default: 10 ms from receipt to commit at most
  int64_t memory_events = 10000;     // Default: 10000, bound of the in-memory hand-off queue
  Durability durability = Durability::kNormal;  // Default: "normal"; or "full" (power loss)
  // With "normal": events the cloud has not acknowledged this long after their commit are
  // written to the queue file; those acknowledged sooner never are (flash wear). A crash
  // loses at most this window of not-yet-delivered events. 0: write every event before it
  // is sent. "full" always writes before sending. Default: 1000 ms.
  int64_t persist_after_ms = 1000;
  int64_t max_bytes = int64_t{1} << 30;  // Default: 1 GiB for all streams together
  int64_t max_file_bytes = 0;         // Default: 0 = no limit on the file but the disk
  std::vector<StreamConfig> streams = DefaultStreams();  // telemetry, aggregates, alerts
};

// Fills `out` from the [queue] table; errors go to `errors` with their positions.
void BindQueueConfig(const ConfigNode& table, QueueConfig& out, ConfigErrors& errors);
// Binds storage's keys of [streams.NAME] (priority, max_bytes, ttl_s, overflow) into the
// stream `name` of `out.streams`, which it adds when new; leaves the others to their owners.
void BindStreamConfig(SharedTable& table, const std::string& name, QueueConfig& out);

StorePolicy ToStorePolicy(const QueueConfig& config);

// How long write-behind keeps unacknowledged events in memory (QueueStore::PersistAfter);
// 0 = off (persist_after_ms = 0, or durability "full").
std::chrono::milliseconds WriteBehindOf(const QueueConfig& config);

// "normal" or "full", as in the configuration.
std::string_view DurabilityName(Durability durability);

}  // namespace ef::storage
