// ModbusPoller: polls the points of one bus (one TCP connection, or one serial line with
// all its slaves) when their poll groups are due, and turns every read into events.
//
// - RunDue() runs every group due at the clock's Now() and returns when the next one is due;
//   the owning thread waits until then (ModbusSource). It never sleeps itself except through
//   the `wait` callback (the serial inter-frame delay), so tests drive it on a ManualClock
//   with a FakeModbusBus.
// - Reads are planned once per group (read_plan.h); a block the device rejects with "illegal
//   data address" is split in two and the split is kept.
// - A slave whose request fails after its retries (none on a serial line, whose next cycle
//   is the retry) yields no values for that poll: its remaining blocks are skipped, so a dead
//   slave costs one timeout per try (on a serial bus: per cycle it is polled), its health
//   (poll_policy.h) backs off and may open the breaker, and a status event reports the change.
//   Values are never made up: a failed read emits no value, not a stale or zero one.
// - Each point read becomes one Event: device, the point name as a field with its value,
//   the unit in the payload, the poll's wall time as event time, quality good (uncertain for
//   a NaN or infinite float). The report strategy (on_change, deadband) filters them.
//
// Not thread-safe: one thread calls RunDue() and Close(); `emit` runs on that thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "connectors/modbus/modbus_bus.h"
#include "connectors/modbus/modbus_config.h"
#include "connectors/modbus/poll_policy.h"
#include "connectors/modbus/read_plan.h"
#include "core/clock.h"
#include "core/event.h"
#include "core/log.h"
#include "core/metrics.h"

namespace ef::connectors::modbus {

// The counters a poller adds to; owned by the registry (or a test), they outlive the poller.
struct PollerCounters {
  Counter* requests = nullptr;        // requests sent (each try counts)
  Counter* failed_requests = nullptr;  // tries without a usable answer
  Counter* values = nullptr;          // point values read
  Counter* overruns = nullptr;        // polls that could not keep their interval
  Counter* skipped_slaves = nullptr;  // slave polls skipped by backoff or an open breaker
};

class ModbusPoller {
 public:
  using Emit = std::function<void(Event)>;
  // Waits `d` (the inter-frame delay); false when the poller is to stop.
  using Wait = std::function<bool(Clock::Duration d)>;

  // `points` are this bus's points (all their slaves); the first poll of every group is due
  // at once. REQUIRES: the points passed the config checks.
  ModbusPoller(const ModbusSourceConfig& config, std::vector<PointConfig> points,
               std::unique_ptr<ModbusBus> bus, const Clock& clock, Logger& log,
               PollerCounters counters, Emit emit, Wait wait);
  ~ModbusPoller();
  ModbusPoller(const ModbusPoller&) = delete;
  ModbusPoller& operator=(const ModbusPoller&) = delete;

  // Runs the groups due now; returns the time the next group is due.
  Clock::TimePoint RunDue();
  void Close() { bus_->Close(); }
  const ModbusBus& bus() const { return *bus_; }
  // Requests of one group's plan (after splits), for tests and the log.
  size_t planned_requests(size_t group) const;

 private:
  struct Group;
  struct Point {
    PointConfig config;
    Encoding encoding;
    ReportFilter filter;
    std::string origin;   // "<source>/<slave>/<register>/<address>"
    std::string payload;  // {"slave":..,"register":..,"address":..,"unit":..}
  };
  void PollGroup(Group& group, Clock::TimePoint now);
  // Reads the blocks of one slave, [first, last); false when the slave failed.
  // Splits may add blocks: `last` moves with them.
  bool PollSlave(Group& group, size_t first, size_t& last, int64_t poll_ms, std::string* why);
  void FailSlaves(const Group& group, Clock::TimePoint now, const std::string& why);
  BusRead ReadWithRetries(const Group& group, const ReadBlock& block);
  void EmitBlock(const Group& group, const ReadBlock& block, const BusRead& read,
                 int64_t poll_ms, Clock::TimePoint now);
  void ReportHealth(int slave, DeviceHealth::Change change, const std::string& why);

  const ModbusSourceConfig& config_;
  std::unique_ptr<ModbusBus> bus_;
  const Clock& clock_;
  Logger& log_;
  PollerCounters counters_;
  Emit emit_;
  Wait wait_;
  Clock::Duration frame_delay_;
  bool sent_ = false;  // a request went out on this bus (the inter-frame delay applies)
  std::vector<Point> points_;
  std::vector<std::unique_ptr<Group>> groups_;
  std::map<int, DeviceHealth> health_;
};

}  // namespace ef::connectors::modbus
