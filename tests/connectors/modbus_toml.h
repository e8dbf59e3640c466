// TOML snippets for Modbus tests (unit and integration): one [[sources.modbus.points]] table.
#pragma once

#include <string>

namespace ef::testing {

// "[[sources.modbus.points]]\nname = "<name>"\n" followed by `body` (its other keys).
inline std::string ModbusPointToml(const std::string& name, const std::string& body) {
  return "[[sources.modbus.points]]\nname = \"" + name + "\"\n" + body;
}

}  // namespace ef::testing
