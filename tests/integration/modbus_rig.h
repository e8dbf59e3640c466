// Helpers for the Modbus integration tests: a [[sources.modbus]] config from TOML (through the
// same binding the daemon uses), and a ModbusSource with its real libmodbus bus whose events
// are collected for the test to wait on.
//
// Thread-safety: the collector is thread-safe (the source pushes from its poll threads); the
// rest belongs to the test's main thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "connectors/modbus/modbus_source.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "tests/support/wait.h"

namespace ef::testkit {

// The first [[sources.modbus]] of `toml`; *error gets the config errors when there are any.
std::optional<connectors::modbus::ModbusSourceConfig> ModbusSourceFromToml(
    const std::string& toml, std::string* error);

class EventCollector final : public EventSink {
 public:
  bool Push(Event event) override;
  // Waits until `done(events)` holds or the deadline passes; returns its last value.
  bool WaitFor(Deadline deadline, const std::function<bool(const std::vector<Event>&)>& done);
  std::vector<Event> events() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Event> events_;
};

// The events carrying field `name`, in arrival order.
std::vector<const Event*> WithField(const std::vector<Event>& events, const std::string& name);

// A ModbusSource on the system clock, started on construction, stopped on destruction.
class RunningModbusSource {
 public:
  explicit RunningModbusSource(const connectors::modbus::ModbusSourceConfig& config);
  ~RunningModbusSource();
  EventCollector& events() { return sink_; }
  MetricsRegistry& metrics() { return metrics_; }

 private:
  SystemClock clock_;
  Logger log_{LogLevel::kWarning};
  MetricsRegistry metrics_;
  EventCollector sink_;
  connectors::modbus::ModbusSource source_;
};

}  // namespace ef::testkit
