// DeviceActivity: a last-seen gauge per device, for at most max_devices devices.
#include "pipeline/device_activity.h"

#include <doctest/doctest.h>

namespace ef::pipeline {
namespace {

Event From(const std::string& device, int64_t ingest_ms) {
  Event e;
  e.stream = "telemetry";
  e.device_id = device;
  e.ingest_time_ms = ingest_ms;
  return e;
}

TEST_CASE("each device's gauge holds its latest ingest time; devices beyond the bound count") {
  MetricsRegistry metrics;
  DeviceActivity stage(metrics, 2);
  std::vector<Event> events = {From("a", 1000), From("a", 2500), From("b", 3000),
                               From("c", 4000), From("", 5000)};
  std::vector<StateEntry> state;
  StageGroup group{events, state, Clock::TimePoint{}, 0};
  stage.Process(group);
  CHECK(events.size() == 5);  // nothing changed
  const std::string text = RenderPrometheusText(metrics.Snapshot());
  CHECK(text.find("edgeferry_device_last_seen_timestamp_seconds{device=\"a\"} 2.5\n") !=
        std::string::npos);
  CHECK(text.find("edgeferry_device_last_seen_timestamp_seconds{device=\"b\"} 3\n") !=
        std::string::npos);
  CHECK(text.find("device=\"c\"") == std::string::npos);
  CHECK(text.find("edgeferry_devices_tracked 2\n") != std::string::npos);
  CHECK(metrics.CounterTotal("edgeferry_device_untracked_events_total") == 1);
}

}  // namespace
}  // namespace ef::pipeline
