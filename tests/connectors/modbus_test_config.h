// Builds a ModbusSourceConfig from TOML for the Modbus unit tests, through the same binding
// `edgeferry check` uses.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "connectors/modbus/modbus_config.h"
#include "daemon/daemon_config.h"

namespace ef::testing {

inline connectors::modbus::ModbusSourceConfig ModbusConfig(const std::string& text) {
  daemon::DaemonConfig config;
  const auto errors = daemon::LoadConfigText(text, "gw.toml", &config);
  for (const std::string& e : errors) FAIL_CHECK(e);
  REQUIRE(errors.empty());
  REQUIRE(config.sources.size() == 1);
  return std::get<connectors::modbus::ModbusSourceConfig>(config.sources[0]);
}

inline std::vector<std::string> ModbusConfigErrors(const std::string& text) {
  daemon::DaemonConfig config;
  return daemon::LoadConfigText(text, "gw.toml", &config);
}

}  // namespace ef::testing
