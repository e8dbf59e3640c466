#include "pipeline/device_activity.h"

namespace ef::pipeline {

DeviceActivity::DeviceActivity(MetricsRegistry& metrics, size_t max_devices)
    : metrics_(metrics), max_devices_(max_devices),
      tracked_(metrics.GetGauge("edgeferry_devices_tracked",
                                "Devices with a last-seen gauge (bounded by max_devices).")),
      untracked_(metrics.GetCounter("edgeferry_device_untracked_events_total",
                                    "Events of devices beyond max_devices (no last-seen gauge).")) {}

Gauge* DeviceActivity::GaugeFor(const std::string& device) {
  if (auto it = last_seen_.find(device); it != last_seen_.end()) return it->second;
  if (last_seen_.size() >= max_devices_) return nullptr;
  Gauge& gauge = metrics_.GetGauge("edgeferry_device_last_seen_timestamp_seconds",
                                   "When the device's latest event was received (Unix time).",
                                   {{"device", device}});
  last_seen_.emplace(device, &gauge);
  tracked_.Set(static_cast<double>(last_seen_.size()));
  return &gauge;
}

void DeviceActivity::Process(StageGroup& group) {
  // Groups come mostly from few devices in runs: look each run up once.
  const std::string* device = nullptr;
  Gauge* gauge = nullptr;
  for (const Event& event : group.events) {
    if (event.device_id.empty()) continue;
    if (device == nullptr || *device != event.device_id) {
      device = &event.device_id;
      gauge = GaugeFor(event.device_id);
    }
    if (gauge == nullptr) {
      untracked_.Add();
    } else {
      gauge->Set(static_cast<double>(event.ingest_time_ms) / 1000.0);
    }
  }
}

}  // namespace ef::pipeline
