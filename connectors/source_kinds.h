// The kinds of source a configuration can name: [[sources.mqtt]] and [[sources.modbus]]. Each kind binds its own config tables and builds its Source; the daemon knows sources
// only through these functions and the Source interface (core/source.h).
//
// Adding a kind: a config struct (an alternative of SourceConfig), a row in the kind table of
// source_kinds.cpp (its key under [sources] and its bind function), and an overload of the
// factory there.
//
// Plain functions over values; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "connectors/modbus/modbus_config.h"
#include "connectors/mqtt/mqtt_config.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/source.h"

namespace ef::connectors {

using SourceConfig = std::variant<MqttSourceConfig, modbus::ModbusSourceConfig>;

// What every source is built with; all outlive the source.
struct SourceContext {
  const Clock& clock;
  Logger& log;
  MetricsRegistry& metrics;
};

// Binds the [sources] table: one array of tables per kind. Unknown kinds, and names used
// twice across all kinds, are errors with their positions.
void BindSources(const ConfigNode& sources, std::vector<SourceConfig>& out, ConfigErrors& errors);
// Fills what depends on the gateway (e.g. MQTT client ids "edgeferry-<gateway>-<name>").
void FillSourceDefaults(SourceConfig& config, const std::string& gateway_id);
const std::string& SourceName(const SourceConfig& config);
std::unique_ptr<Source> MakeSource(const SourceConfig& config, const SourceContext& context);

}  // namespace ef::connectors
