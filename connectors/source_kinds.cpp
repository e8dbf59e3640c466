#include "connectors/source_kinds.h"

#include <array>
#include <set>

#include "connectors/modbus/modbus_source.h"
#include "connectors/mqtt/mqtt_source.h"
#include "core/config_bind.h"

namespace ef::connectors {
namespace {

SourceConfig BindMqtt(const ConfigNode& table, ConfigErrors& errors) {
  MqttSourceConfig config;
  BindMqttSourceConfig(table, config, errors);
  return config;
}

SourceConfig BindModbus(const ConfigNode& table, ConfigErrors& errors) {
  modbus::ModbusSourceConfig config;
  modbus::BindModbusSourceConfig(table, config, errors);
  return config;
}

struct SourceKind {
  std::string_view key;  // [[sources.<key>]]
  SourceConfig (*bind)(const ConfigNode& table, ConfigErrors& errors);
};

constexpr std::array<SourceKind, 2> kKinds = {{
    {"mqtt", BindMqtt},
    {"modbus", BindModbus},
}};

// Factories and defaults, one overload per kind.
std::unique_ptr<Source> Make(const MqttSourceConfig& config, const SourceContext& context) {
  return std::make_unique<MqttSource>(config, context.clock, context.log, context.metrics);
}

std::unique_ptr<Source> Make(const modbus::ModbusSourceConfig& config,
                             const SourceContext& context) {
  return std::make_unique<modbus::ModbusSource>(config, context.clock, context.log,
                                                context.metrics);
}

void FillDefaults(MqttSourceConfig& config, const std::string& gateway_id) {
  if (config.client_id.empty()) config.client_id = "edgeferry-" + gateway_id + "-" + config.name;
}

void FillDefaults(modbus::ModbusSourceConfig& /*config*/, const std::string& /*gateway_id*/) {}

void BindKind(const SourceKind& kind, const ConfigNode& node, std::vector<SourceConfig>& out,
              std::set<std::string>& names, ConfigErrors& errors) {
  const std::string section = "sources." + std::string(kind.key);
  if (node.type != ConfigType::kArray) {
    errors.Add(node.pos, "'" + section + "' must be an array of tables: write [[" + section + "]]");
    return;
  }
  for (const ConfigNode& item : node.items) {
    if (item.type != ConfigType::kTable) {
      errors.Add(item.pos, "'" + section + "' must be a table, not " +
                               std::string(ConfigTypeName(item.type)));
      continue;
    }
    SourceConfig config = kind.bind(item, errors);
    const std::string& name = SourceName(config);
    if (!name.empty() && !names.insert(name).second) {
      errors.Add(item.Find("name")->pos, "duplicate source name '" + name + "'");
    }
    out.push_back(std::move(config));
  }
}

}  // namespace

void BindSources(const ConfigNode& sources, std::vector<SourceConfig>& out, ConfigErrors& errors) {
  std::array<std::string_view, kKinds.size()> keys;
  for (size_t i = 0; i < kKinds.size(); ++i) keys[i] = kKinds[i].key;
  std::set<std::string> names;
  for (const auto& [key, node] : sources.members) {
    const SourceKind* kind = nullptr;
    for (const SourceKind& k : kKinds) kind = k.key == key ? &k : kind;
    if (kind == nullptr) {
      config_internal::ReportUnknown(key, node, "sources", keys, errors);
    } else {
      BindKind(*kind, node, out, names, errors);
    }
  }
}

void FillSourceDefaults(SourceConfig& config, const std::string& gateway_id) {
  std::visit([&](auto& c) { FillDefaults(c, gateway_id); }, config);
}

const std::string& SourceName(const SourceConfig& config) {
  return std::visit([](const auto& c) -> const std::string& { return c.name; }, config);
}

std::unique_ptr<Source> MakeSource(const SourceConfig& config, const SourceContext& context) {
  return std::visit([&](const auto& c) { return Make(c, context); }, config);
}

}  // namespace ef::connectors
