#include "storage/queue_config.h"

#include <array>

#include "core/config_bind.h"

namespace ef::storage {
namespace {

std::string CheckDurability(const ConfigNode& node) {
  const auto& value = std::get<std::string>(node.scalar);
  return value == "normal" || value == "full" ? std::string()
                                              : "must be \"normal\" or \"full\", not \"" + value + "\"";
}

const std::array<ConfigField<QueueConfig>, 4> kFields = {{
    {"commit_max_events", &QueueConfig::commit_max_events, false, CheckPositive},
    {"commit_interval_ms", &QueueConfig::commit_interval_ms, false, CheckPositive},
    {"memory_events", &QueueConfig::memory_events, false, CheckPositive},
    {"durability", &QueueConfig::durability, false, CheckDurability},
}};

}  // namespace

void BindQueueConfig(const ConfigNode& table, QueueConfig& out, ConfigErrors& errors) {
  BindTable<QueueConfig>(table, "queue", kFields, out, errors);
}

}  // namespace ef::storage
