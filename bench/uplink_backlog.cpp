#include "bench/uplink_backlog.h"

#include <cstdio>
#include <vector>

#include "storage/queue_config.h"
#include "storage/sqlite_store.h"
#include "tests/support/wait.h"

namespace ef::bench {

namespace {

Event MakeEvent(uint64_t i, int devices, int64_t now_ms) {
  const int device = static_cast<int>(i % static_cast<uint64_t>(devices));
  const uint64_t n = i / static_cast<uint64_t>(devices);
  char id[16];
  std::snprintf(id, sizeof id, "dev-%02d", device);
  char payload[192];
  std::snprintf(payload, sizeof payload,
                R"({"device":"%s","n":%llu,"t_us":%lld,"temp":%.2f,"humidity":%.2f,)"
                R"("vibration":%.3f,"status":"ok"})",
                id, static_cast<unsigned long long>(n), static_cast<long long>(now_ms) * 1000,
                18.0 + static_cast<double>(n % 800) / 100, 40.0 + static_cast<double>(n % 30),
                static_cast<double>(n % 50) / 1000);
  Event e;
  e.stream = "telemetry";
  e.device_id = id;
  e.origin = std::string("plant/") + id + "/telemetry";
  e.event_time_ms = now_ms;
  e.ingest_time_ms = now_ms;
  e.format = PayloadFormat::kJson;
  e.payload = payload;
  return e;
}

}  // namespace

Result<uint64_t> BuildBacklog(const BacklogSpec& spec) {
  storage::SqliteStoreOptions options;
  options.path = spec.db_path;
  // The daemon's defaults (1 GiB bound, the default streams), so it opens the file as its own.
  auto store = storage::SqliteStore::Open(options, storage::ToStorePolicy(storage::QueueConfig{}));
  if (!store.ok()) return store.status();
  const int64_t now_ms = testkit::WallMillis();
  std::vector<Event> group;
  group.reserve(spec.commit_events);
  for (uint64_t i = 0; i < spec.events;) {
    group.clear();
    for (; i < spec.events && group.size() < spec.commit_events; ++i) {
      group.push_back(MakeEvent(i, spec.devices, now_ms));
    }
    if (Status s = (*store)->Append(group); !s.ok()) return s;
  }
  auto stats = (*store)->Stats();
  if (!stats.ok()) return stats.status();
  if (stats->events != spec.events) {
    return Status::IoError("stored " + std::to_string(stats->events) + " events, not " +
                           std::to_string(spec.events) + " (a store bound?)");
  }
  return stats->last_seq;
}

}  // namespace ef::bench
