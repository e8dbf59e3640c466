#include "connectors/modbus/point_checks.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace ef::connectors::modbus {
namespace {

std::string KindName(RegisterKind kind) { return std::string(NameOf(kRegisterKinds, kind)); }
std::string TypeName(DataType type) { return std::string(NameOf(kDataTypes, type)); }

SourcePos PosOf(const ConfigNode& table, std::string_view key) {
  const ConfigNode* node = table.Find(key);
  return node != nullptr ? node->pos : table.pos;
}

// Resolves `address` / `plc_address` / `register`; false after reporting an error.
bool ResolveAddress(const ConfigNode& table, PointConfig& point, ConfigErrors& errors) {
  const ConfigNode* address = table.Find("address");
  const ConfigNode* plc = table.Find("plc_address");
  const ConfigNode* reg = table.Find("register");
  if (address != nullptr && plc != nullptr) {
    errors.Add(plc->pos, "point '" + point.name + "': give 'address' (0-based protocol address) "
                         "or 'plc_address' (1-based PLC numbering), not both");
    return false;
  }
  if (address == nullptr && plc == nullptr) {
    errors.Add(table.pos, "point '" + point.name + "' needs 'address' (0-based protocol "
                          "address, with 'register') or 'plc_address' (e.g. \"400001\")");
    return false;
  }
  if (address != nullptr) {
    if (reg != nullptr) return point.address >= 0;
    errors.Add(address->pos, "point '" + point.name + "': 'address' " +
                                 std::to_string(point.address) + " is a 0-based protocol "
                                 "address and needs 'register' (coil, discrete, holding or "
                                 "input)");
    return false;
  }
  if (plc->type != ConfigType::kString) return false;  // binding reported the type
  std::string error;
  const auto parsed = ParsePlcAddress(std::get<std::string>(plc->scalar), &error);
  if (!parsed) {
    errors.Add(plc->pos, "point '" + point.name + "': " + error);
    return false;
  }
  if (reg != nullptr && point.kind != parsed->kind) {
    errors.Add(reg->pos, "point '" + point.name + "': register '" + KindName(point.kind) +
                             "' disagrees with plc_address '" + point.plc_address +
                             "', whose leading digit means " + KindName(parsed->kind));
    return false;
  }
  point.kind = parsed->kind;
  point.address = parsed->address;
  return true;
}

// The type and its parameters (bit, length); false after reporting an error.
bool CheckType(const ConfigNode& table, PointConfig& point, ConfigErrors& errors) {
  const std::string who = "point '" + point.name + "': ";
  const ConfigNode* type = table.Find("type");
  if (IsBitKind(point.kind)) {
    if (type != nullptr && point.type != DataType::kBit) {
      errors.Add(type->pos, who + "a " + KindName(point.kind) + " is one bit: type must be BIT, "
                                  "not " + TypeName(point.type));
      return false;
    }
    point.type = DataType::kBit;
    if (table.Find("bit") != nullptr && point.bit != 0) {
      errors.Add(PosOf(table, "bit"), who + "'bit' selects a bit of a register; a " +
                                          KindName(point.kind) + " is a single bit already");
      return false;
    }
  } else if (type == nullptr) {
    errors.Add(table.pos, who + "missing 'type' (BIT, INT16, UINT16, INT32, UINT32, INT64, "
                                "UINT64, FLOAT32, FLOAT64 or STRING)");
    return false;
  }
  if (table.Find("bit") != nullptr && point.type != DataType::kBit) {
    errors.Add(PosOf(table, "bit"), who + "'bit' applies to type BIT only, not " +
                                        TypeName(point.type));
    return false;
  }
  if (point.type == DataType::kBit && point.bit > 15) {
    errors.Add(PosOf(table, "bit"), who + "bit " + std::to_string(point.bit) +
                                        " does not exist: a register has bits 0..15");
    return false;
  }
  const bool has_length = table.Find("length") != nullptr;
  if (point.type == DataType::kString && !has_length) {
    errors.Add(type->pos, who + "STRING needs 'length' (registers, two characters each)");
    return false;
  }
  if (has_length && point.type != DataType::kString) {
    errors.Add(PosOf(table, "length"), who + "'length' applies to type STRING only");
    return false;
  }
  return true;
}

// Whether one request and the address space can hold the point.
bool CheckSpan(const ConfigNode& table, const ModbusSourceConfig& source, PointConfig& point,
               ConfigErrors& errors) {
  const std::string who = "point '" + point.name + "': ";
  const uint32_t count = RegisterCount(point.encoding());
  const bool bits = IsBitKind(point.kind);
  const int64_t limit = bits ? source.max_bits : source.max_registers;
  if (count > limit) {
    errors.Add(PosOf(table, point.type == DataType::kString ? "length" : "type"),
               who + TypeName(point.type) + " spans " + std::to_string(count) +
                   " registers, more than one read carries (" + std::to_string(limit) +
                   ", max_registers)");
    return false;
  }
  if (point.address + count > kAddressSpace) {
    const bool plc = table.Find("plc_address") != nullptr;
    const std::string where =
        plc ? "plc_address '" + point.plc_address + "' (0-based address " +
                  std::to_string(point.address) + ")"
            : "address " + std::to_string(point.address) + " (0-based)";
    errors.Add(PosOf(table, plc ? "plc_address" : "address"),
               who + TypeName(point.type) + " at " + where + " spans " + std::to_string(count) +
                   " registers and runs past the last one (address 65535)");
    return false;
  }
  return true;
}

}  // namespace

void CheckPoint(const ConfigNode& table, const ModbusSourceConfig& source, PointConfig& point,
                ConfigErrors& errors) {
  if (point.name.empty() || !ResolveAddress(table, point, errors) ||
      !CheckType(table, point, errors) || !CheckSpan(table, source, point, errors)) {
    point.address = -1;
  }
}

void CheckOverlaps(const ModbusSourceConfig& source, ConfigErrors& errors) {
  std::map<std::tuple<int64_t, RegisterKind>, std::vector<const PointConfig*>> areas;
  std::set<std::pair<std::string, std::string>> names;
  std::set<std::tuple<int64_t, RegisterKind, int64_t, int64_t>> bits;  // BIT points on registers
  for (const PointConfig& point : source.points) {
    if (!point.name.empty() && !names.emplace(point.device, point.name).second) {
      errors.Add(point.pos, "point name '" + point.name + "' is used twice for device '" +
                                point.device + "'");
    }
    if (point.address < 0) continue;
    if (point.type == DataType::kBit && !IsBitKind(point.kind) &&
        !bits.emplace(point.slave, point.kind, point.address, point.bit).second) {
      errors.Add(point.pos, "point '" + point.name + "' reads bit " + std::to_string(point.bit) +
                                " of " + KindName(point.kind) + " " +
                                std::to_string(point.address) + " (slave " +
                                std::to_string(point.slave) + "), which another point reads");
      continue;
    }
    areas[{point.slave, point.kind}].push_back(&point);
  }
  for (auto& [area, points] : areas) {
    std::stable_sort(points.begin(), points.end(), [](const PointConfig* a, const PointConfig* b) {
      return a->address < b->address;
    });
    const PointConfig* widest = nullptr;  // of the points so far, the one reaching furthest
    int64_t end = -1;
    for (const PointConfig* p : points) {
      const int64_t p_end = p->address + RegisterCount(p->encoding());
      const bool bits_apart = widest != nullptr && p->type == DataType::kBit &&
                              widest->type == DataType::kBit && !IsBitKind(p->kind) &&
                              p->address == widest->address && p->bit != widest->bit;
      if (widest != nullptr && p->address < end && !bits_apart) {
        errors.Add(p->pos, "point '" + p->name + "' (" + KindName(p->kind) + " " +
                               std::to_string(p->address) + ".." + std::to_string(p_end - 1) +
                               ", slave " + std::to_string(p->slave) + ") overlaps point '" +
                               widest->name + "' (" + std::to_string(widest->address) + ".." +
                               std::to_string(end - 1) + ")");
      }
      if (p_end > end) {
        end = p_end;
        widest = p;
      }
    }
  }
}

}  // namespace ef::connectors::modbus
