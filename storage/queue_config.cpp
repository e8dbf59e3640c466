#include "storage/queue_config.h"

#include <array>

#include "core/config_bind.h"

namespace ef::storage {
namespace {

std::string CheckDurability(const ConfigNode& node) { return CheckOneOf(node, {"normal", "full"}); }

std::string CheckOverflow(const ConfigNode& node) {
  const auto& value = std::get<std::string>(node.scalar);
  Overflow ignored;
  return ParseOverflow(value, &ignored)
             ? std::string()
             : "must be \"drop_oldest\", \"reject_new\" or \"backpressure\", not \"" + value + "\"";
}

std::string CheckCatchUp(const ConfigNode& node) {
  return CheckOneOf(node, {"live_first", "in_order"});
}

std::string CheckShare(const ConfigNode& node) {
  const double share = node.type == ConfigType::kFloat
                           ? std::get<double>(node.scalar)
                           : static_cast<double>(std::get<int64_t>(node.scalar));
  return share >= 0.0 && share <= 1.0 ? std::string() : "must be between 0 and 1";
}

const std::array<ConfigField<QueueConfig>, 6> kQueueFields = {{
    {"commit_max_events", &QueueConfig::commit_max_events, false, CheckPositive},
    {"commit_interval_ms", &QueueConfig::commit_interval_ms, false, CheckPositive},
    {"memory_events", &QueueConfig::memory_events, false, CheckPositive},
    {"durability", &QueueConfig::durability, false, CheckDurability},
    {"max_bytes", &QueueConfig::max_bytes, false, CheckPositive},
    {"max_file_bytes", &QueueConfig::max_file_bytes, false, CheckNotNegative},
}};

const std::array<ConfigField<StreamConfig>, 6> kStreamFields = {{
    {"priority", &StreamConfig::priority, false, nullptr},
    {"min_share", &StreamConfig::min_share, false, CheckShare},
    {"max_bytes", &StreamConfig::max_bytes, false, CheckNotNegative},
    {"ttl_s", &StreamConfig::ttl_s, false, CheckNotNegative},
    {"overflow", &StreamConfig::overflow, false, CheckOverflow},
    {"catch_up", &StreamConfig::catch_up, false, CheckCatchUp},
}};

}  // namespace

std::vector<StreamConfig> DefaultStreams() {
  StreamConfig telemetry{"telemetry", 10, 0.1, 0, 0, "drop_oldest"};
  StreamConfig aggregates{"aggregates", 50, 0.1, 0, 0, "drop_oldest"};
  StreamConfig alerts{"alerts", 100, 0.1, 0, 0, "drop_oldest", "in_order"};
  return {telemetry, aggregates, alerts};
}

void BindQueueConfig(const ConfigNode& table, QueueConfig& out, ConfigErrors& errors) {
  BindTable<QueueConfig>(table, "queue", kQueueFields, out, errors);
}

void BindStreamsConfig(const ConfigNode& table, QueueConfig& out, ConfigErrors& errors) {
  for (const auto& [name, node] : table.members) {
    if (node.type != ConfigType::kTable) {
      errors.Add(node.pos, "'streams." + name + "' must be a table: write [streams." + name + "]");
      continue;
    }
    StreamConfig* stream = nullptr;
    for (StreamConfig& s : out.streams) stream = s.name == name ? &s : stream;
    if (stream == nullptr) {
      out.streams.push_back(StreamConfig{name});
      stream = &out.streams.back();
    }
    BindTable<StreamConfig>(node, "streams." + name, kStreamFields, *stream, errors);
  }
}

StorePolicy ToStorePolicy(const QueueConfig& config) {
  StorePolicy policy;
  policy.max_bytes = static_cast<uint64_t>(config.max_bytes);
  for (const StreamConfig& s : config.streams) {
    StreamPolicy p;
    p.name = s.name;
    p.priority = s.priority;
    p.min_share = s.min_share;
    p.max_bytes = static_cast<uint64_t>(s.max_bytes);
    p.ttl_ms = s.ttl_s * 1000;
    ParseOverflow(s.overflow, &p.overflow);
    policy.streams.push_back(std::move(p));
  }
  return policy;
}

}  // namespace ef::storage
