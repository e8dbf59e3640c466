// A simulated Modbus device for one test or benchmark run: tests/support/modbus_server.py
// (Debian's pymodbus 3.0, run by /usr/bin/python3) as a TCP server on a free 127.0.0.1 port,
// or as an RTU server on one end of a socat pty pair, the other end being serial_port().
//
// Every answering slave holds the register layout below; `silent` slaves are never answered.
// Requests() reads how many read requests each slave served (from the server's stats file).
// The device owns a private temp directory (script stats, logs, the pty links); Stop() and
// Start() keep the TCP port and the pty pair, so a client can reconnect to the same place.
//
// Thread-safety: not thread-safe; one thread owns a device.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace ef::testkit {

// Holding registers of every answering slave (0-based addresses; see modbus_server.py):
//   0..7   FLOAT32 1.5 in ABCD, CDAB, BADC, DCBA     8..15  INT32 -100000, same four orders
//   16..31 FLOAT64 -2.5 in the four orders            32 INT16 -2        33 UINT16 65000
//   34..35 UINT32 3000000000 CDAB                     36..39 INT64 -5 ABCD
//   40     a counter, +1 every 100 ms                 41..44 UINT64 0x0102030405060708 DCBA
//   45..47 STRING "PLC-7"                             48     0x0005 (bits 0 and 2)
// Input registers 0, 1: 1234, 5678. Coils 0..3: 1 0 1 1 (coil 10 toggles every 100 ms).
// Discrete inputs 0, 1: 0 1.
struct ModbusDeviceOptions {
  std::vector<int> slaves = {1};  // answering slave ids
  bool rtu = false;               // RTU over a socat pty pair instead of TCP
  std::string name = "modbus";
};

class ModbusDevice {
 public:
  explicit ModbusDevice(ModbusDeviceOptions options = {});
  ~ModbusDevice();  // stops the server and socat

  ModbusDevice(const ModbusDevice&) = delete;
  ModbusDevice& operator=(const ModbusDevice&) = delete;

  // Starts the server (and, the first time for RTU, socat) and waits until it serves.
  // Returns false on failure or at the deadline; see Log().
  bool Start(Deadline deadline);
  // SIGTERM, then SIGKILL if it lingers. The TCP port and the pty pair stay reserved.
  void Stop();

  // "127.0.0.1:PORT" for [[sources.modbus]] address (TCP).
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // The client end of the pty pair for `port` (RTU).
  std::string serial_port() const;
  // Read requests served so far, per answering slave.
  std::map<int, uint64_t> Requests() const;
  std::string Log() const;

 private:
  ModbusDeviceOptions options_;
  TempDir dir_;
  uint16_t port_ = 0;
  std::unique_ptr<Process> socat_;
  std::unique_ptr<Process> server_;
};

}  // namespace ef::testkit
