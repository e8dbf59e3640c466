// DecodeStage: per-source decoding in the pipeline, topic names, dead letters.
#include "pipeline/decode/decode_stage.h"

#include <doctest/doctest.h>

namespace ef::pipeline {
namespace {

Event Message(std::string source, std::string topic, std::string payload) {
  Event e;
  e.stream = "telemetry";
  e.source = std::move(source);
  e.origin = std::move(topic);
  e.device_id = "from-level";
  e.event_time_ms = e.ingest_time_ms = 5000;
  e.payload = std::move(payload);
  return e;
}

std::unique_ptr<DecodeStage> Stage(MetricsRegistry& metrics) {
  DecodeSpec spec;
  spec.topic_template = "plant/{site}/{device}/telemetry";
  spec.format = DataFormat::kJsonArray;
  spec.time_field = "ts";
  auto stage = DecodeStage::Create({{"edge", spec}}, metrics);
  REQUIRE(stage.ok());
  return std::move(stage.value());
}

TEST_CASE("a source's messages get the topic's names, typed fields and the payload time") {
  MetricsRegistry metrics;
  auto stage = Stage(metrics);
  std::vector<Event> events = {
      Message("edge", "plant/north/d1/telemetry", R"({"ts":7,"temp":1.5})"),
      Message("other", "x/y", R"({"ts":7})"),
      Message("edge", "plant/south/d2/telemetry", R"([{"ts":8,"v":1},{"v":2}])")};
  std::vector<StateEntry> state;
  std::vector<DeadLetterEntry> dead;
  StageGroup group{events, state, Clock::TimePoint{}, 0, &dead};
  stage->Process(group);
  CHECK(dead.empty());
  REQUIRE(events.size() == 4);
  CHECK(events[0].device_id == "d1");
  REQUIRE(events[0].fields.size() == 2);
  CHECK(events[0].fields[0].name == "site");
  CHECK(std::get<std::string>(events[0].fields[0].value) == "north");
  CHECK(events[0].event_time_ms == 7000);
  CHECK(events[0].time_from_payload);
  CHECK(events[0].format == PayloadFormat::kJson);
  CHECK(events[1].device_id == "from-level");  // another source: unchanged
  CHECK(events[1].fields.empty());
  CHECK(events[2].event_time_ms == 8000);
  CHECK(events[2].payload.empty());  // split samples carry their fields, not the message
  CHECK(events[3].event_time_ms == 5000);  // no time field: the arrival time
  CHECK_FALSE(events[3].time_from_payload);
  CHECK(std::get<int64_t>(events[3].fields.back().value) == 2);
}

TEST_CASE("refused messages go to the dead letters with their reason, and are counted") {
  MetricsRegistry metrics;
  auto stage = Stage(metrics);
  std::vector<Event> events = {Message("edge", "plant/north/d1/telemetry", R"({"ts":)"),
                               Message("edge", "plant/d1", R"({"v":1})"),
                               Message("edge", "plant/north/d1/telemetry", R"({"v":1})")};
  std::vector<StateEntry> state;
  std::vector<DeadLetterEntry> dead;
  StageGroup group{events, state, Clock::TimePoint{}, 0, &dead};
  stage->Process(group);
  CHECK(events.size() == 1);
  REQUIRE(dead.size() == 2);
  CHECK(dead[0].reason.find("invalid JSON") != std::string::npos);
  CHECK(dead[1].reason.find("does not fit topic_template") != std::string::npos);
  CHECK(metrics.CounterTotal("edgeferry_decode_failures_total") == 2);
}

TEST_CASE("without a dead-letter list a refused message passes on marked bad") {
  MetricsRegistry metrics;
  auto stage = Stage(metrics);
  std::vector<Event> events = {Message("edge", "plant/north/d1/telemetry", "{")};
  std::vector<StateEntry> state;
  StageGroup group{events, state, Clock::TimePoint{}, 0};
  stage->Process(group);
  REQUIRE(events.size() == 1);
  CHECK(events[0].quality == Quality::kBad);
}

}  // namespace
}  // namespace ef::pipeline
