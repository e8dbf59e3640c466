// ModbusBus: one Modbus connection (a TCP socket or a serial line), reading one block at a
// time. LibModbusBus (modbus_bus.cpp) is the only code that includes <modbus.h>; unit tests
// use tests/fakes/fake_modbus_bus.h.
//
// A bus is used by one thread at a time (its poller, or the probe); it is not thread-safe.
// Reads never throw; a failed read says why in BusError, so that the poller can tell a slave
// that does not answer (retry, back off) from one that refuses the request (illegal data
// address: split the read) and from a lost connection (reconnect).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "connectors/modbus/modbus_config.h"
#include "connectors/modbus/register_map.h"
#include "core/status.h"

namespace ef::connectors::modbus {

enum class BusError : uint8_t {
  kNone,
  kTimeout,         // no (complete) answer within the response timeout
  kIllegalAddress,  // exception 2: the device has no such registers (or not that many)
  kException,       // another exception reply (illegal function, device failure, busy...)
  kConnection,      // not connected, or the connection broke: reconnect before the next read
};

struct BusRead {
  BusError error = BusError::kNone;
  std::string message;          // for logs and status events, when error != kNone
  std::vector<uint16_t> words;  // one word per register, or per bit (0/1) for coil/discrete
  bool ok() const { return error == BusError::kNone; }
};

class ModbusBus {
 public:
  virtual ~ModbusBus() = default;
  // Opens the connection (TCP connect, or opens and configures the serial line). Idempotent
  // while connected. A failure is retryable: the device may come (back) later.
  virtual Status Connect() = 0;
  virtual void Close() = 0;
  virtual bool connected() const = 0;
  // Reads `count` registers (bits) from 0-based `address` of `slave`, waiting at most
  // `timeout` for the answer. After kConnection, and after kTimeout on TCP (a late answer
  // would be taken for the next request's), the bus is closed: Connect() before the next
  // read. REQUIRES: connected().
  virtual BusRead Read(int slave, RegisterKind kind, uint32_t address, uint32_t count,
                       std::chrono::milliseconds timeout) = 0;
  // "tcp 127.0.0.1:502" or "rtu /dev/ttyUSB0 19200 8N1", for logs.
  virtual std::string Describe() const = 0;
};

// Creates the libmodbus-backed bus for `config` (TCP when `address` is set, else RTU).
// Never fails: connecting happens in Connect().
std::unique_ptr<ModbusBus> MakeLibModbusBus(const ModbusSourceConfig& config);

}  // namespace ef::connectors::modbus
