// Configuration of one Modbus connection: a [[sources.modbus]] table, its poll groups
// ([[sources.modbus.groups]]) and its points ([[sources.modbus.points]]).
//
// Defaults cascade: a point takes its timing and report strategy from its group, a group from
// the source table. BindModbusSourceConfig() binds and then checks what binding alone cannot:
// a point that cannot be read (past the address space, longer than one request, a bit above
// 15, a STRING without length) or that overlaps another point of the same slave and register
// kind. Every error carries the position of the offending value.
//
// Plain values; thread-safe to read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "connectors/modbus/register_map.h"
#include "core/config.h"

namespace ef::connectors::modbus {

enum class ReportMode : uint8_t { kEveryPoll, kOnChange };
enum class Parity : uint8_t { kNone, kEven, kOdd };

struct ReportPolicy {
  ReportMode mode = ReportMode::kEveryPoll;  // Default: "every_poll"
  double deadband = 0;                       // Default: 0 (any change); absolute, on_change only
  double deadband_percent = 0;               // Default: 0; percent of the last reported value
  int64_t max_silence_ms = 0;                // Default: 0 (none); report at least this often
};

struct PollGroupConfig {
  std::string name;            // Required; unique within the source
  int64_t interval_ms = 1000;  // Default: the source's interval_ms
  int64_t timeout_ms = 1000;   // Default: the source's timeout_ms
  int64_t retries = 1;         // Default: the source's retries
  ReportPolicy report;         // Default: the source's report strategy
};

struct PointConfig {
  std::string name;           // Required; the field name of its value
  std::string group;          // Default: "" (the source's own group)
  int64_t slave = 1;          // Default: the source's slave
  RegisterKind kind = RegisterKind::kHolding;  // `register`; required with `address`
  int64_t address = -1;       // 0-based protocol address; or plc_address
  std::string plc_address;    // "400001": area digit, 1-based register
  DataType type = DataType::kUint16;  // Default: BIT on coils/discrete; required on registers
  ByteOrder byte_order = ByteOrder::kABCD;  // Default: ABCD (big endian)
  int64_t bit = 0;            // BIT on a register: 0..15
  int64_t length = 0;         // STRING: registers (two characters each)
  double scale = 1.0;         // Default: 1
  double offset = 0.0;        // Default: 0
  std::string unit;           // Default: none
  std::string device;         // Default: the source's device
  std::string stream;         // Default: the source's stream
  ReportPolicy report;        // Default: the group's
  SourcePos pos;              // the [[sources.modbus.points]] header, for messages

  Encoding encoding() const;
};

struct ModbusSourceConfig {
  std::string name;            // Required; unique among sources
  std::string address;         // TCP: "host:port"; exactly one of address / port
  std::string port;            // RTU: serial device, e.g. "/dev/ttyUSB0"
  int64_t baud = 19200;        // Default: 19200
  Parity parity = Parity::kNone;  // Default: "N"
  int64_t data_bits = 8;       // Default: 8
  int64_t stop_bits = 1;       // Default: 1
  int64_t frame_delay_ms = 0;  // Default: 0; extra silence between two requests on a bus
  bool share_connection = false;  // Default: false (TCP: one connection per slave id)
  int64_t slave = 1;           // Default: 1; slave id of points that name none
  std::string device;          // Default: the source name
  std::string stream = "telemetry";  // Default: "telemetry"
  int64_t interval_ms = 1000;  // Default: 1 s; the default group's poll interval
  int64_t timeout_ms = 1000;   // Default: 1 s; response timeout of one request
  int64_t retries = 1;         // Default: 1; extra tries of a request that timed out (TCP)
  int64_t max_gap = 10;        // Default: 10; unused registers (bits) a read may span
  int64_t max_registers = 125;  // Default: 125 (protocol limit); registers per request
  int64_t max_bits = 2000;     // Default: 2000 (protocol limit); bits per request
  int64_t backoff_min_ms = 1000;   // Default: 1 s; after a failed poll of a slave
  int64_t backoff_max_ms = 30000;  // Default: 30 s; cap of the exponential backoff
  int64_t breaker_failures = 5;    // Default: 5 failed polls in a row open the breaker
  int64_t breaker_open_ms = 60000;  // Default: 60 s skipped before a probe
  ReportPolicy report;
  std::vector<PollGroupConfig> groups;
  std::vector<PointConfig> points;

  bool serial() const { return !port.empty(); }
};

// Fills `out` from one [[sources.modbus]] table; errors go to `errors` with their positions.
void BindModbusSourceConfig(const ConfigNode& table, ModbusSourceConfig& out,
                            ConfigErrors& errors);

// Splits "host:port"; false when it is not one (no host, port not 1..65535).
bool SplitHostPort(const std::string& text, std::string* host, int* port);

}  // namespace ef::connectors::modbus
