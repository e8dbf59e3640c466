#include <doctest/doctest.h>

#include <limits>

#include "uplink/envelope.h"

namespace ef::uplink {

Event Sample(PayloadFormat format, std::string payload) {
  Event e;
  e.stream = "telemetry";
  e.device_id = "dev-07";
  e.origin = "plant/dev-07/telemetry";
  e.seq = 42;
  e.event_time_ms = 1764312000123;
  e.ingest_time_ms = e.event_time_ms;  // as the MQTT source sets them
  e.format = format;
  e.payload = std::move(payload);
  return e;
}

TEST_CASE("a JSON payload is embedded verbatim in the envelope") {
  std::string out;
  AppendEnvelope(out, "gw-1", Sample(PayloadFormat::kJson, R"({"temp":21.5})"));
  CHECK(out == R"({"gateway":"gw-1","stream":"telemetry","device":"dev-07","seq":42,)"
               R"("time":1764312000123,"topic":"plant/dev-07/telemetry","payload":{"temp":21.5}})");
}

TEST_CASE("a binary payload is carried as base64") {
  std::string out;
  AppendEnvelope(out, "gw-1", Sample(PayloadFormat::kBinary, std::string("\x01\x02hello", 7)));
  CHECK(out.ends_with(R"("payload_b64":"AQJoZWxsbw=="})"));
}

TEST_CASE("event time, quality and fields follow the payload, each only when it says something") {
  Event e = Sample(PayloadFormat::kJson, "{}");
  e.event_time_ms = 1764312000000;
  e.quality = Quality::kUncertain;
  e.fields = {{"temp", 41.5},
              {"rpm", int64_t{-9223372036854775807 - 1}},
              {"on", true},
              {"off", false},
              {"nan", std::numeric_limits<double>::quiet_NaN()},
              {"inf", -std::numeric_limits<double>::infinity()},
              {"note", std::string("a \"b\"\n")}};
  std::string out;
  AppendEnvelope(out, "gw-1", e);
  CHECK(out == R"({"gateway":"gw-1","stream":"telemetry","device":"dev-07","seq":42,)"
               R"("time":1764312000123,"topic":"plant/dev-07/telemetry","payload":{},)"
               R"("event_time":1764312000000,"quality":"uncertain","fields":{"temp":41.5,)"
               R"("rpm":-9223372036854775808,"on":true,"off":false,"nan":null,"inf":null,)"
               R"("note":"a \"b\"\n"}})");
  e.quality = Quality::kBad;
  e.fields = {{"x", 0.1}};
  out.clear();
  AppendEnvelope(out, "gw-1", e);
  CHECK(out.ends_with(R"("payload":{},"event_time":1764312000000,"quality":"bad",)"
                      R"("fields":{"x":0.1}})"));
}

TEST_CASE("an event stamped before the clock was synchronised says so, last") {
  Event e = Sample(PayloadFormat::kJson, "{}");
  std::string out;
  AppendEnvelope(out, "gw-1", e);
  CHECK(out.find("\"clock\"") == std::string::npos);  // absent in the normal case
  e.clock_unsynced = true;
  e.quality = Quality::kBad;
  out.clear();
  AppendEnvelope(out, "gw-1", e);
  CHECK(out.ends_with(R"("payload":{},"quality":"bad","clock":"unsynced"})"));
  BatchEncoder batch(BatchFormat::kJson, "gw-1", 4096, 10);
  batch.Start("telemetry");
  REQUIRE(batch.Add(e) == BatchEncoder::AddResult::kAdded);
  CHECK(batch.Finish().ends_with(R"("clock":"unsynced"}]})"));
}

TEST_CASE("topic templates expand placeholders and neutralise wildcards") {
  TopicTemplate t("edgeferry/{gateway}/{stream}/{device}");
  Event e = Sample(PayloadFormat::kJson, "{}");
  CHECK(t.Expand("gw-1", e) == "edgeferry/gw-1/telemetry/dev-07");
  e.device_id = "a+b#";
  CHECK(t.Expand("gw-1", e) == "edgeferry/gw-1/telemetry/a_b_");
  CHECK(TopicTemplate::Validate("x/{devices}").find("unknown placeholder '{devices}'") == 0);
  CHECK_FALSE(TopicTemplate::Validate("x/#").empty());
  CHECK(TopicTemplate::Validate("site/{gateway}").empty());
}

}  // namespace ef::uplink
