// Completeness: received / expected per device and window, gaps, silence; declared or learned
// intervals; its outputs on the aggregates stream.
#include "pipeline/completeness.h"

#include <doctest/doctest.h>

namespace ef::pipeline {
namespace {

using namespace std::chrono_literals;

struct Run {
  MetricsRegistry metrics;
  Completeness stage;
  Clock::TimePoint start{std::chrono::seconds(100)};
  int64_t wall0 = 1'764'000'000'000;
  std::vector<Event> outputs;

  explicit Run(CompletenessOptions options) : stage(metrics, std::move(options)) {}

  // One event of `device` at `at` after the start; fires the timers due until then.
  void At(Clock::Duration at, const std::string& device = "dev-1") {
    Tick(at);
    std::vector<Event> events(1);
    events[0].stream = "telemetry";
    events[0].device_id = device;
    events[0].ingest_time_ms = wall0 + std::chrono::duration_cast<std::chrono::milliseconds>(at).count();
    std::vector<StateEntry> state;
    StageGroup group{events, state, start + at, events[0].ingest_time_ms};
    stage.Process(group);
    CHECK(events.size() == 1);
  }
  void Tick(Clock::Duration until) {
    while (stage.NextTimer() <= start + until) {
      std::vector<Event> produced;
      std::vector<StateEntry> state;
      StageGroup group{produced, state, stage.NextTimer(), wall0};
      stage.OnTimer(group);
      for (Event& e : produced) outputs.push_back(std::move(e));
    }
  }
  std::string Text() { return RenderPrometheusText(metrics.Snapshot()); }
};

TEST_CASE("a declared interval: received / expected per window, gaps and silence") {
  CompletenessOptions options;
  options.window = 20s;
  options.silent_intervals = 5;
  options.expected_interval_ms = {{"dev-1", 1000}};
  Run run(options);
  for (int s : {0, 1, 2, 6, 7, 8}) run.At(std::chrono::seconds(s));  // 2..6: one gap
  run.Tick(20s);  // silent after 8 s + 5 intervals; the window closes at 20 s
  REQUIRE(run.outputs.size() == 2);
  CHECK(run.outputs[0].stream == "aggregates");
  CHECK(run.outputs[0].device_id == "dev-1");
  CHECK(run.outputs[0].payload.starts_with(R"({"kind":"silent","last_seen_ms":)"));
  CHECK(run.outputs[1].payload ==
        R"({"kind":"completeness","window_s":20,"received":6,"expected":20,"ratio":0.3,)"
        R"("gaps":1,"silent":true})");
  const std::string text = run.Text();
  CHECK(text.find("edgeferry_device_completeness_ratio{device=\"dev-1\"} 0.3\n") !=
        std::string::npos);
  CHECK(text.find("edgeferry_device_gaps_total{device=\"dev-1\"} 1\n") != std::string::npos);
  CHECK(text.find("edgeferry_devices_silent 1\n") != std::string::npos);
  run.At(21s);  // back
  CHECK(run.Text().find("edgeferry_devices_silent 0\n") != std::string::npos);
}

TEST_CASE("an undeclared interval is learned from the device's own gaps (the median)") {
  CompletenessOptions options;
  options.window = 60s;
  options.learn_samples = 5;
  Run run(options);
  for (int ms : {0, 200, 400, 600, 2600, 2800}) run.At(std::chrono::milliseconds(ms));
  CHECK(run.Text().find("edgeferry_device_expected_interval_seconds{device=\"dev-1\"} 0.2\n") !=
        std::string::npos);
}

TEST_CASE("devices beyond max_devices are not followed") {
  CompletenessOptions options;
  options.max_devices = 1;
  options.expected_interval_ms = {{"a", 1000}, {"b", 1000}};
  Run run(options);
  run.At(0s, "a");
  run.At(0s, "b");
  const std::string text = run.Text();
  CHECK(text.find("device=\"a\"") != std::string::npos);
  CHECK(text.find("device=\"b\"") == std::string::npos);
}

}  // namespace
}  // namespace ef::pipeline
