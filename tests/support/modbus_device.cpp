#include "tests/support/modbus_device.h"

#include <csignal>
#include <filesystem>
#include <sstream>

#include "tests/support/net.h"

#ifndef EF_MODBUS_SERVER_SCRIPT
#define EF_MODBUS_SERVER_SCRIPT "tests/support/modbus_server.py"
#endif

namespace ef::testkit {

ModbusDevice::ModbusDevice(ModbusDeviceOptions options)
    : options_(std::move(options)), dir_("ef-mb") {
  if (!options_.rtu) port_ = FreeLoopbackPort();
}

ModbusDevice::~ModbusDevice() {
  Stop();
  if (socat_) {
    socat_->Signal(SIGTERM);
    if (!socat_->Wait(DeadlineIn(std::chrono::seconds(5)))) socat_->Kill();
  }
}

std::string ModbusDevice::serial_port() const { return dir_.File("tty_client").string(); }

bool ModbusDevice::Start(Deadline deadline) {
  if (server_ && server_->Running()) return false;
  const std::filesystem::path server_tty = dir_.File("tty_server");
  if (options_.rtu && !socat_) {
    ProcessOptions pair;
    pair.argv = {"socat", "pty,raw,echo=0,link=" + server_tty.string(),
                 "pty,raw,echo=0,link=" + serial_port()};
    pair.log_file = dir_.File("socat.log");
    socat_ = std::make_unique<Process>(std::move(pair));
    if (!WaitUntil(deadline, [&] {
          return std::filesystem::exists(server_tty) && std::filesystem::exists(serial_port());
        })) {
      return false;
    }
  }
  std::string slaves;
  for (int s : options_.slaves) slaves += (slaves.empty() ? "" : ",") + std::to_string(s);
  const std::filesystem::path stats = dir_.File("stats");
  const std::filesystem::path ready = dir_.File("ready");
  std::filesystem::remove(stats);
  std::filesystem::remove(ready);
  ProcessOptions spawn;
  spawn.argv = {"/usr/bin/python3", EF_MODBUS_SERVER_SCRIPT, "--slaves", slaves, "--stats",
                stats.string(), "--ready", ready.string()};
  if (options_.rtu) {
    spawn.argv.insert(spawn.argv.end(), {"--rtu", server_tty.string()});
  } else {
    spawn.argv.insert(spawn.argv.end(), {"--tcp", std::to_string(port_)});
  }
  spawn.log_file = dir_.File("server.log");
  server_ = std::make_unique<Process>(std::move(spawn));
  return WaitUntil(deadline, [&] {
    if (!server_->Running()) return true;  // reported below
    return std::filesystem::exists(ready) && (options_.rtu || PortAcceptsConnections(port_));
  }) && server_->Running();
}

void ModbusDevice::Stop() {
  if (!server_) return;
  server_->Signal(SIGTERM);
  if (!server_->Wait(DeadlineIn(std::chrono::seconds(5)))) server_->Kill();
  server_.reset();
}

std::map<int, uint64_t> ModbusDevice::Requests() const {
  std::map<int, uint64_t> out;
  std::istringstream in(ReadFile(dir_.File("stats")));
  int slave = 0;
  uint64_t count = 0;
  while (in >> slave >> count) out[slave] = count;
  return out;
}

std::string ModbusDevice::Log() const {
  return ReadFile(dir_.File("server.log")) + ReadFile(dir_.File("socat.log"));
}

}  // namespace ef::testkit
