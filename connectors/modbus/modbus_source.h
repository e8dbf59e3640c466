// ModbusSource: a [[sources.modbus]] connection as a Source. It polls Modbus devices on its
// own threads and pushes one Event per point read (see modbus_poller.h for what they hold).
//
// - Threads: one poll thread per TCP slave (each with its own connection, so a dead slave
//   never delays a live one) and one per serial bus (requests on a line are strictly one at a
//   time; a dead slave costs at most one timeout per cycle); with share_connection all TCP
//   slaves share one connection and thread, like a serial bus. The source owns them:
//   Start() starts them, Stop() wakes and joins them.
// - Backpressure: Pause() does not stop polling (a PLC's values are not queued anywhere
//   upstream); until Resume() only the latest value per point (and the latest status per
//   slave) is kept, every value it replaces is counted in
//   edgeferry_modbus_values_skipped_total{source}, and Resume() pushes what was kept.
// - Counters (registry, labelled source=<name>): edgeferry_events_received_total{kind=
//   "modbus"} (events pushed), edgeferry_modbus_requests_total, edgeferry_modbus_request_
//   failures_total, edgeferry_modbus_values_read_total, edgeferry_modbus_overruns_total,
//   edgeferry_modbus_slave_polls_skipped_total (backoff / open breaker).
//
// Thread-safety: Start/Stop/Pause/Resume from the owner thread; Ready() from any thread.
// No libmodbus type appears here; the bus factory is the seam for tests.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "connectors/modbus/modbus_bus.h"
#include "connectors/modbus/modbus_config.h"
#include "connectors/modbus/modbus_poller.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/source.h"

namespace ef::connectors::modbus {

class ModbusSource final : public Source {
 public:
  using BusFactory = std::function<std::unique_ptr<ModbusBus>(const ModbusSourceConfig&)>;

  ModbusSource(ModbusSourceConfig config, const Clock& clock, Logger& log,
               MetricsRegistry& metrics, BusFactory bus_factory = MakeLibModbusBus);
  ~ModbusSource() override;
  ModbusSource(const ModbusSource&) = delete;
  ModbusSource& operator=(const ModbusSource&) = delete;

  const std::string& name() const override { return config_.name; }
  // Starts the poll threads; connecting happens on them, with backoff. Never fails.
  Status Start(EventSink& sink) override;
  // Wakes the threads, joins them and closes the connections; nothing is pushed after it.
  void Stop() override;
  // True once every poll thread has run its first poll (reachable or not).
  bool Ready() const override;
  void Pause() override;
  void Resume() override;

 private:
  void Run(ModbusPoller& poller);
  void Emit(Event event);
  bool WaitFor(Clock::Duration d);

  const ModbusSourceConfig config_;
  const Clock& clock_;
  Logger& log_;
  BusFactory bus_factory_;
  PollerCounters counters_;
  Counter& received_;
  Counter& skipped_;
  EventSink* sink_ = nullptr;

  std::mutex mu_;  // guards stopping_, paused_, latest_ and pushes to the sink
  std::condition_variable cv_;
  bool stopping_ = false;
  bool paused_ = false;
  std::map<std::pair<std::string, std::string>, Event> latest_;  // (origin, field) while paused
  std::atomic<size_t> first_polls_done_{0};
  std::vector<std::unique_ptr<ModbusPoller>> pollers_;
  std::vector<std::thread> threads_;
};

}  // namespace ef::connectors::modbus
