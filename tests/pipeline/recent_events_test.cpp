// RecentEvents: the latest alerts for the status page, summarised from fields or from the
// JSON payload, in a bounded ring read from other threads; every event passes unchanged.
#include "pipeline/recent_events.h"

#include <doctest/doctest.h>

#include <thread>

namespace ef::pipeline {
namespace {

Event Alert(const std::string& device, int64_t time_ms) {
  Event e;
  e.stream = "alerts";
  e.device_id = device;
  e.event_time_ms = time_ms;
  return e;
}

TEST_CASE("an alert is summarised from its fields first, then from its JSON payload") {
  Event from_fields = Alert("dev-1", 1000);
  from_fields.fields = {{"name", std::string("overheat")}, {"severity", int64_t{2}},
                        {"message", std::string("41.7 > 40")}};
  const EventSummary a = Summarize(from_fields);
  CHECK(a.time_ms == 1000);
  CHECK(a.device == "dev-1");
  CHECK(a.name == "overheat");
  CHECK(a.severity == "2");
  CHECK(a.message == "41.7 > 40");

  Event from_payload = Alert("dev-2", 0);
  from_payload.ingest_time_ms = 2000;
  from_payload.format = PayloadFormat::kJson;
  from_payload.fields = {{"rule", std::string("stuck-sensor")}};
  from_payload.payload =
      R"({"alert":"ignored: the field wins","level":"warning","nested":{"message":"no"},)"
      R"("state":"raised","text":"no change for 10 min"})";
  const EventSummary b = Summarize(from_payload);
  CHECK(b.time_ms == 2000);  // no event time: the ingest time
  CHECK(b.name == "stuck-sensor");
  CHECK(b.severity == "warning");
  CHECK(b.state == "raised");
  CHECK(b.message == "no change for 10 min");

  Event bare = Alert("dev-3", 3000);
  bare.payload = "not json";
  const EventSummary c = Summarize(bare);
  CHECK(c.name.empty());
  CHECK(c.severity.empty());
}

TEST_CASE("the stage keeps the latest alerts, newest first, and passes every event on") {
  RecentEventLog log(2);
  RecentEvents stage("alerts", log);
  CHECK(stage.name() == "recent-alerts");
  Event telemetry;
  telemetry.stream = "telemetry";
  telemetry.device_id = "dev-9";
  std::vector<Event> events = {Alert("dev-1", 1), telemetry, Alert("dev-2", 2), Alert("dev-3", 3)};
  std::vector<StateEntry> state;
  StageGroup group{events, state, Clock::TimePoint{}, 0};
  stage.Process(group);
  CHECK(events.size() == 4);
  CHECK(state.empty());
  const std::vector<EventSummary> latest = log.Latest();
  REQUIRE(latest.size() == 2);  // bounded
  CHECK(latest[0].device == "dev-3");
  CHECK(latest[1].device == "dev-2");
}

TEST_CASE("the log is read while the pipeline thread adds to it") {
  RecentEventLog log(5);
  std::thread writer([&] {
    for (int i = 0; i < 10'000; ++i) log.Add({i, "dev", "a", "", "", ""});
  });
  size_t largest = 0;
  for (int i = 0; i < 1'000; ++i) largest = std::max(largest, log.Latest().size());
  writer.join();
  CHECK(largest <= 5);
  CHECK(log.Latest().front().time_ms == 9'999);
}

}  // namespace
}  // namespace ef::pipeline
