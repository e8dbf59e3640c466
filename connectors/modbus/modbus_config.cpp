#include "connectors/modbus/modbus_config.h"

#include <algorithm>
#include <array>
#include <set>

#include "connectors/modbus/point_checks.h"
#include "core/config_bind.h"

namespace ef::connectors::modbus {
namespace {

constexpr std::array<Choice<Parity>, 3> kParities = {{
    {"N", Parity::kNone}, {"E", Parity::kEven}, {"O", Parity::kOdd}}};
constexpr std::array<Choice<ReportMode>, 2> kReportModes = {{
    {"every_poll", ReportMode::kEveryPoll}, {"on_change", ReportMode::kOnChange}}};

std::string CheckNotNegativeNumber(const ConfigNode& node) {
  const double v = node.type == ConfigType::kFloat ? std::get<double>(node.scalar)
                                                   : static_cast<double>(std::get<int64_t>(node.scalar));
  return v >= 0 ? std::string() : "must be 0 or greater";
}

std::string CheckSlave(const ConfigNode& node) {
  const int64_t id = std::get<int64_t>(node.scalar);
  return id >= 1 && id <= 255 ? std::string() : "slave id must be 1..255 (0 is broadcast)";
}

std::string CheckHostPort(const ConfigNode& node) {
  std::string host;
  int port = 0;
  const auto& text = std::get<std::string>(node.scalar);
  return SplitHostPort(text, &host, &port) ? std::string()
                                           : "'" + text + "' must be host:port (port 1..65535)";
}

std::string CheckDataBits(const ConfigNode& node) {
  const int64_t v = std::get<int64_t>(node.scalar);
  return v >= 5 && v <= 8 ? std::string() : "must be 5, 6, 7 or 8";
}

std::string CheckStopBits(const ConfigNode& node) {
  const int64_t v = std::get<int64_t>(node.scalar);
  return v == 1 || v == 2 ? std::string() : "must be 1 or 2";
}

std::string CheckMaxRegisters(const ConfigNode& node) {
  const int64_t v = std::get<int64_t>(node.scalar);
  return v >= 1 && v <= kMaxReadRegisters ? std::string() : "must be 1..125 (protocol limit)";
}

std::string CheckMaxBits(const ConfigNode& node) {
  const int64_t v = std::get<int64_t>(node.scalar);
  return v >= 1 && v <= kMaxReadBits ? std::string() : "must be 1..2000 (protocol limit)";
}

using SourceField = ConfigField<ModbusSourceConfig>;
const std::array<SourceField, 22> kSourceFields = {{
    {"name", &ModbusSourceConfig::name, true, CheckNonEmpty},
    {"address", &ModbusSourceConfig::address, false, CheckHostPort},
    {"port", &ModbusSourceConfig::port, false, CheckNonEmpty},
    {"baud", &ModbusSourceConfig::baud, false, CheckPositive},
    {"parity", OneOf<&ModbusSourceConfig::parity, kParities>(), false, nullptr},
    {"data_bits", &ModbusSourceConfig::data_bits, false, CheckDataBits},
    {"stop_bits", &ModbusSourceConfig::stop_bits, false, CheckStopBits},
    {"frame_delay_ms", &ModbusSourceConfig::frame_delay_ms, false, CheckNotNegative},
    {"share_connection", &ModbusSourceConfig::share_connection, false, nullptr},
    {"slave", &ModbusSourceConfig::slave, false, CheckSlave},
    {"device", &ModbusSourceConfig::device, false, CheckNonEmpty},
    {"stream", &ModbusSourceConfig::stream, false, CheckNonEmpty},
    {"interval_ms", &ModbusSourceConfig::interval_ms, false, CheckPositive},
    {"timeout_ms", &ModbusSourceConfig::timeout_ms, false, CheckPositive},
    {"retries", &ModbusSourceConfig::retries, false, CheckNotNegative},
    {"max_gap", &ModbusSourceConfig::max_gap, false, CheckNotNegative},
    {"max_registers", &ModbusSourceConfig::max_registers, false, CheckMaxRegisters},
    {"max_bits", &ModbusSourceConfig::max_bits, false, CheckMaxBits},
    {"backoff_min_ms", &ModbusSourceConfig::backoff_min_ms, false, CheckPositive},
    {"backoff_max_ms", &ModbusSourceConfig::backoff_max_ms, false, CheckPositive},
    {"breaker_failures", &ModbusSourceConfig::breaker_failures, false, CheckPositive},
    {"breaker_open_ms", &ModbusSourceConfig::breaker_open_ms, false, CheckPositive},
}};

const std::array<ConfigField<ReportPolicy>, 4> kReportFields = {{
    {"report", OneOf<&ReportPolicy::mode, kReportModes>(), false, nullptr},
    {"deadband", &ReportPolicy::deadband, false, CheckNotNegativeNumber},
    {"deadband_percent", &ReportPolicy::deadband_percent, false, CheckNotNegativeNumber},
    {"max_silence_ms", &ReportPolicy::max_silence_ms, false, CheckNotNegative},
}};

const std::array<ConfigField<PollGroupConfig>, 4> kGroupFields = {{
    {"name", &PollGroupConfig::name, true, CheckNonEmpty},
    {"interval_ms", &PollGroupConfig::interval_ms, false, CheckPositive},
    {"timeout_ms", &PollGroupConfig::timeout_ms, false, CheckPositive},
    {"retries", &PollGroupConfig::retries, false, CheckNotNegative},
}};

const std::array<ConfigField<PointConfig>, 15> kPointFields = {{
    {"name", &PointConfig::name, true, CheckNonEmpty},
    {"group", &PointConfig::group, false, CheckNonEmpty},
    {"slave", &PointConfig::slave, false, CheckSlave},
    {"register", OneOf<&PointConfig::kind, kRegisterKinds>(), false, nullptr},
    {"address", &PointConfig::address, false, CheckNotNegative},
    {"plc_address", &PointConfig::plc_address, false, nullptr},
    {"type", OneOf<&PointConfig::type, kDataTypes>(), false, nullptr},
    {"byte_order", OneOf<&PointConfig::byte_order, kByteOrders>(), false, nullptr},
    {"bit", &PointConfig::bit, false, CheckNotNegative},
    {"length", &PointConfig::length, false, CheckPositive},
    {"scale", &PointConfig::scale, false, nullptr},
    {"offset", &PointConfig::offset, false, nullptr},
    {"unit", &PointConfig::unit, false, nullptr},
    {"device", &PointConfig::device, false, CheckNonEmpty},
    {"stream", &PointConfig::stream, false, CheckNonEmpty},
}};

// Binds `fields` and the report keys of `table`, and reports keys that neither these nor
// `nested` (arrays of tables bound by the caller) name.
template <class Cfg>
void BindWithReport(const ConfigNode& table, std::string_view section,
                    std::span<const ConfigField<Cfg>> fields, Cfg& out, ReportPolicy& report,
                    ConfigErrors& errors, std::span<const std::string_view> nested = {}) {
  std::vector<std::string_view> known(nested.begin(), nested.end());
  for (const auto& f : fields) known.push_back(f.key);
  for (const auto& f : kReportFields) known.push_back(f.key);
  config_internal::ReportUnknownKeys(table, section, known, errors);
  config_internal::BindFields(table, section, fields, out, errors);
  config_internal::BindFields<ReportPolicy>(table, section, kReportFields, report, errors);
}

template <class Each>
void ForEachTable(const ConfigNode& table, std::string_view key, ConfigErrors& errors,
                  Each each) {
  const ConfigNode* list = table.Find(key);
  if (list == nullptr) return;
  const std::string section = "sources.modbus." + std::string(key);
  if (list->type != ConfigType::kArray) {
    errors.Add(list->pos, "'" + section + "' must be an array of tables: write [[" + section + "]]");
    return;
  }
  for (const ConfigNode& item : list->items) {
    if (item.type != ConfigType::kTable) {
      errors.Add(item.pos, "'" + section + "' must be a table");
      continue;
    }
    each(item);
  }
}

void BindGroups(const ConfigNode& table, ModbusSourceConfig& out, ConfigErrors& errors) {
  std::set<std::string> names;
  ForEachTable(table, "groups", errors, [&](const ConfigNode& item) {
    PollGroupConfig group{"", out.interval_ms, out.timeout_ms, out.retries, out.report};
    BindWithReport<PollGroupConfig>(item, "sources.modbus.groups", kGroupFields, group,
                                    group.report, errors);
    if (!group.name.empty() && !names.insert(group.name).second) {
      errors.Add(item.Find("name")->pos, "duplicate poll group '" + group.name + "'");
    }
    out.groups.push_back(std::move(group));
  });
}

void BindPoints(const ConfigNode& table, ModbusSourceConfig& out, ConfigErrors& errors) {
  ForEachTable(table, "points", errors, [&](const ConfigNode& item) {
    PointConfig point;
    point.slave = out.slave;
    point.device = out.device;
    point.stream = out.stream;
    point.report = out.report;
    point.pos = item.pos;
    if (const ConfigNode* g = item.Find("group"); g != nullptr && g->type == ConfigType::kString) {
      const auto& name = std::get<std::string>(g->scalar);
      auto it = std::find_if(out.groups.begin(), out.groups.end(),
                             [&](const PollGroupConfig& c) { return c.name == name; });
      if (it == out.groups.end()) {
        errors.Add(g->pos, "point group '" + name + "' is not a [[sources.modbus.groups]] name");
      } else {
        point.report = it->report;
      }
    }
    BindWithReport<PointConfig>(item, "sources.modbus.points", kPointFields, point,
                                point.report, errors);
    CheckPoint(item, out, point, errors);
    out.points.push_back(std::move(point));
  });
}

}  // namespace

Encoding PointConfig::encoding() const {
  return Encoding{type, byte_order, static_cast<uint32_t>(bit), static_cast<uint32_t>(length),
                  scale, offset};
}

bool SplitHostPort(const std::string& text, std::string* host, int* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return false;
  const std::string digits = text.substr(colon + 1);
  if (digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  const int value = std::stoi(digits);
  if (value < 1 || value > 65535) return false;
  *host = text.substr(0, colon);
  *port = value;
  return true;
}

void BindModbusSourceConfig(const ConfigNode& table, ModbusSourceConfig& out,
                            ConfigErrors& errors) {
  static constexpr std::array<std::string_view, 2> kNested = {"groups", "points"};
  BindWithReport<ModbusSourceConfig>(table, "sources.modbus", kSourceFields, out, out.report,
                                     errors, kNested);
  if (out.device.empty()) out.device = out.name;
  if (out.address.empty() == out.port.empty()) {
    errors.Add(table.pos, "[[sources.modbus]] '" + out.name +
                              "' needs exactly one of 'address' (TCP host:port) or 'port' "
                              "(serial device)");
  }
  BindGroups(table, out, errors);
  BindPoints(table, out, errors);
  CheckOverlaps(out, errors);
  if (out.points.empty()) {
    errors.Add(table.pos, "[[sources.modbus]] '" + out.name +
                              "' has no [[sources.modbus.points]]");
  }
}

}  // namespace ef::connectors::modbus
