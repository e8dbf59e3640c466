// DeviceActivity: a pipeline stage that notes, per device, when it last sent something:
//   edgeferry_device_last_seen_timestamp_seconds{device}  (gauge: ingest time, Unix seconds)
//   edgeferry_devices_tracked                             (gauge: devices with such a gauge)
//   edgeferry_device_untracked_events_total               (counter: events of devices beyond
//                                                          the bound)
// The number of devices tracked is bounded by `max_devices` (the registry never forgets a
// series): the first ones seen get a gauge, later ones are only counted. It changes no event
// and keeps no state (a restart starts from the next event each device sends).
//
// Thread-safety: a Stage: the pipeline thread only.
#pragma once

#include <map>
#include <span>
#include <string>

#include "core/metrics.h"
#include "core/stage.h"

namespace ef::pipeline {

class DeviceActivity final : public Stage {
 public:
  DeviceActivity(MetricsRegistry& metrics, size_t max_devices);

  const std::string& name() const override { return name_; }
  Status Restore(std::span<const StateEntry>) override { return Status::Ok(); }
  void Process(StageGroup& group) override;

 private:
  Gauge* GaugeFor(const std::string& device);

  const std::string name_ = "devices";
  MetricsRegistry& metrics_;
  const size_t max_devices_;
  Gauge& tracked_;
  Counter& untracked_;
  std::map<std::string, Gauge*, std::less<>> last_seen_;
};

}  // namespace ef::pipeline
