// The checks of [[sources.modbus.points]] that binding keys one by one cannot do: the address
// convention (0-based `address` with `register`, or `plc_address`), whether the point can be
// read at all (bit range, STRING length, one request, address space) and overlaps between
// points. Used by modbus_config.cpp; pure functions, thread-safe.
#pragma once

#include "connectors/modbus/modbus_config.h"
#include "core/config.h"

namespace ef::connectors::modbus {

// Resolves the address convention and checks that `point` (bound from `table`) can be read.
// Fills point.kind and point.address from plc_address; on an error, leaves point.address -1
// so that CheckOverlaps skips it.
void CheckPoint(const ConfigNode& table, const ModbusSourceConfig& source, PointConfig& point,
                ConfigErrors& errors);

// Reports points of one slave and register kind whose registers overlap (BIT points on
// distinct bits of one register do not), and point names used twice for one device.
void CheckOverlaps(const ModbusSourceConfig& source, ConfigErrors& errors);

}  // namespace ef::connectors::modbus
