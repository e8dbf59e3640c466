// Completeness across a restart: the stage checkpoints its devices and its open window in
// its state (committed with the events it counted), and a new stage restored from that state
// goes on where the old one stopped. Monotonic time starts elsewhere after a restart; the
// wall clock goes on.
#include <doctest/doctest.h>

#include <map>

#include "pipeline/completeness.h"
#include "pipeline/completeness_state.h"

namespace ef::pipeline {
namespace {

using namespace std::chrono_literals;
constexpr int64_t kWall0 = 1'764'000'000'000;

// One life of the stage: its own registry and monotonic base; `committed` is the store's
// state table, shared between lives.
struct Life {
  MetricsRegistry metrics;
  Completeness stage;
  Clock::TimePoint base;  // monotonic time at wall kWall0 + wall_offset
  std::chrono::milliseconds wall_offset;
  std::map<std::string, std::string>& committed;
  std::vector<Event> outputs;

  Life(CompletenessOptions options, Clock::TimePoint b, std::chrono::milliseconds offset,
       std::map<std::string, std::string>& state)
      : stage(metrics, std::move(options)), base(b), wall_offset(offset), committed(state) {
    std::vector<StateEntry> entries;
    for (const auto& [key, value] : committed) entries.push_back({key, value});
    REQUIRE(stage.Restore(entries).ok());
  }
  int64_t Wall(Clock::TimePoint now) const {
    return kWall0 + (wall_offset + std::chrono::duration_cast<std::chrono::milliseconds>(
                                       now - base)).count();
  }
  void Commit(const std::vector<StateEntry>& state) {
    for (const StateEntry& e : state) committed[e.key] = e.value;
  }
  // One event at wall time kWall0 + `wall`; timers due before it fire first.
  void At(std::chrono::milliseconds wall, const std::string& device = "dev-1") {
    const Clock::TimePoint now = base + (wall - wall_offset);
    Tick(now);
    std::vector<Event> events(1);
    events[0].stream = "telemetry";
    events[0].device_id = device;
    events[0].ingest_time_ms = Wall(now);
    std::vector<StateEntry> state;
    StageGroup group{events, state, now, Wall(now)};
    stage.Process(group);
    Commit(state);
  }
  void Tick(Clock::TimePoint until) {
    while (stage.NextTimer() <= until) {
      const Clock::TimePoint now = std::max(stage.NextTimer(), base);
      std::vector<Event> produced;
      std::vector<StateEntry> state;
      StageGroup group{produced, state, now, Wall(now)};
      stage.OnTimer(group);
      Commit(state);
      for (Event& e : produced) outputs.push_back(std::move(e));
    }
  }
  void TickWall(std::chrono::milliseconds wall) { Tick(base + (wall - wall_offset)); }
  std::string CompletenessPayload() const {
    for (const Event& e : outputs) {
      if (e.payload.find("\"kind\":\"completeness\"") != std::string::npos) return e.payload;
    }
    return {};
  }
};

CompletenessOptions Declared() {
  CompletenessOptions options;
  options.window = 20s;
  options.silent_intervals = 5;
  options.expected_interval_ms = {{"dev-1", 1000}};
  return options;
}

TEST_CASE("a window open at a restart goes on to its end with what it had counted") {
  std::map<std::string, std::string> state;
  {
    Life first(Declared(), Clock::TimePoint(100s), 0ms, state);
    for (int s = 0; s < 5; ++s) first.At(std::chrono::seconds(s));
  }
  CHECK(state.count("window") == 1);
  CHECK(state.count("d/dev-1") == 1);
  // Back 1 s later on the wall clock; the monotonic clock restarted far from the first.
  Life second(Declared(), Clock::TimePoint(7000s), 5000ms, state);
  for (int s = 5; s < 10; ++s) second.At(std::chrono::seconds(s));
  second.TickWall(19s);
  CHECK(second.CompletenessPayload().empty());  // the window ends at 20 s, as before the restart
  second.TickWall(20s);
  CHECK(second.CompletenessPayload() ==
        R"({"kind":"completeness","window_s":20,"received":10,"expected":20,"ratio":0.5,)"
        R"("gaps":0,"silent":true})");
}

TEST_CASE("a window that ended while the gateway was down is closed at once") {
  std::map<std::string, std::string> state;
  {
    Life first(Declared(), Clock::TimePoint(100s), 0ms, state);
    for (int s = 0; s < 5; ++s) first.At(std::chrono::seconds(s));
  }
  Life second(Declared(), Clock::TimePoint(7000s), 30'000ms, state);
  second.TickWall(30s);  // no event needed: the first turn of the pipeline
  CHECK(second.CompletenessPayload().find(R"("received":5,)") != std::string::npos);
  // Quiet since 4 s (more than 5 intervals): silent at once, counted.
  CHECK(RenderPrometheusText(second.metrics.Snapshot()).find("edgeferry_devices_silent 1\n") !=
        std::string::npos);
  // The next window is a whole one from here.
  second.TickWall(49s);
  CHECK(second.outputs.size() == 2);  // silent, completeness
}

TEST_CASE("a learned interval and a silence survive a restart") {
  CompletenessOptions options;
  options.window = 60s;
  options.learn_samples = 5;
  options.silent_intervals = 10;
  std::map<std::string, std::string> state;
  {
    Life first(options, Clock::TimePoint(100s), 0ms, state);
    for (int ms : {0, 200, 400, 600, 800, 1000}) first.At(std::chrono::milliseconds(ms));
    first.TickWall(4s);  // silent after 10 intervals (2 s)
    CHECK(RenderPrometheusText(first.metrics.Snapshot()).find("edgeferry_devices_silent 1\n") !=
          std::string::npos);
  }
  Life second(options, Clock::TimePoint(7000s), 5000ms, state);
  second.TickWall(5s);
  const std::string text = RenderPrometheusText(second.metrics.Snapshot());
  CHECK(text.find("edgeferry_device_expected_interval_seconds{device=\"dev-1\"} 0.2\n") !=
        std::string::npos);
  CHECK(text.find("edgeferry_devices_silent 1\n") != std::string::npos);
  CHECK(second.outputs.empty());  // not announced silent a second time
}

TEST_CASE("a checkpoint that does not decode is skipped and counted") {
  std::map<std::string, std::string> state = {{"d/dev-1", "v1 12 x"}, {"window", "nonsense"}};
  Life life(Declared(), Clock::TimePoint(100s), 0ms, state);
  life.At(0s);
  CHECK(life.metrics.CounterTotal("edgeferry_completeness_state_discarded_total") == 2);
  CHECK(DecodeCheckpoint(EncodeCheckpoint({200, 5, 7, 1, true, {3, 4}}))->learning.size() == 2);
  CHECK_FALSE(DecodeCheckpoint("v1 1 2 3 4 2"));  // silent is 0 or 1
  CHECK(DecodeWindowEnd(EncodeWindowEnd(kWall0)) == kWall0);
}

}  // namespace
}  // namespace ef::pipeline
