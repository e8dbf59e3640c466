#include "storage/queue_config.h"

#include <array>

#include "core/config_bind.h"

namespace ef::storage {
namespace {

constexpr std::array<Choice<Durability>, 2> kDurabilities = {{
    {"normal", Durability::kNormal},
    {"full", Durability::kFull},
}};

constexpr std::array<Choice<Overflow>, 3> kOverflows = {{
    {"drop_oldest", Overflow::kDropOldest},
    {"reject_new", Overflow::kRejectNew},
    {"backpressure", Overflow::kBackpressure},
}};

const std::array<ConfigField<QueueConfig>, 7> kQueueFields = {{
    {"commit_max_events", &QueueConfig::commit_max_events, false, CheckPositive},
    {"commit_interval_ms", &QueueConfig::commit_interval_ms, false, CheckPositive},
    {"memory_events", &QueueConfig::memory_events, false, CheckPositive},
    {"durability", OneOf<&QueueConfig::durability, kDurabilities>(), false, nullptr},
    {"persist_after_ms", &QueueConfig::persist_after_ms, false, CheckNotNegative},
    {"max_bytes", &QueueConfig::max_bytes, false, CheckPositive},
    {"max_file_bytes", &QueueConfig::max_file_bytes, false, CheckNotNegative},
}};

const std::array<ConfigField<StreamConfig>, 4> kStreamFields = {{
    {"priority", &StreamConfig::priority, false, nullptr},
    {"max_bytes", &StreamConfig::max_bytes, false, CheckNotNegative},
    {"ttl_s", &StreamConfig::ttl_s, false, CheckNotNegative},
    {"overflow", OneOf<&StreamConfig::overflow, kOverflows>(), false, nullptr},
}};

}  // namespace

std::vector<StreamConfig> DefaultStreams() {
  StreamConfig telemetry{"telemetry", 10, 0, 0, Overflow::kDropOldest};
  StreamConfig aggregates{"aggregates", 50, 0, 0, Overflow::kDropOldest};
  StreamConfig alerts{"alerts", 100, 0, 0, Overflow::kDropOldest};
  return {telemetry, aggregates, alerts};
}

void BindQueueConfig(const ConfigNode& table, QueueConfig& out, ConfigErrors& errors) {
  BindTable<QueueConfig>(table, "queue", kQueueFields, out, errors);
}

void BindStreamConfig(SharedTable& table, const std::string& name, QueueConfig& out) {
  table.Bind<StreamConfig>(kStreamFields, NamedEntry(out.streams, name));
}

StorePolicy ToStorePolicy(const QueueConfig& config) {
  StorePolicy policy;
  policy.max_bytes = static_cast<uint64_t>(config.max_bytes);
  for (const StreamConfig& s : config.streams) {
    StreamPolicy p;
    p.name = s.name;
    p.priority = s.priority;
    p.max_bytes = static_cast<uint64_t>(s.max_bytes);
    p.ttl_ms = s.ttl_s * 1000;
    p.overflow = s.overflow;
    policy.streams.push_back(std::move(p));
  }
  return policy;
}

std::chrono::milliseconds WriteBehindOf(const QueueConfig& config) {
  if (config.durability == Durability::kFull) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(config.persist_after_ms);
}

std::string_view DurabilityName(Durability durability) {
  return NameOf(kDurabilities, durability);
}

}  // namespace ef::storage
