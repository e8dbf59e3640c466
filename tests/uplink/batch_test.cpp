#include <doctest/doctest.h>

#include "core/json.h"
#include "uplink/envelope.h"

namespace ef::uplink {
namespace {

Event Numbered(uint64_t seq, std::string payload = R"({"t":21.5})") {
  Event e;
  e.stream = "telemetry";
  e.device_id = "dev-" + std::to_string(seq % 3);
  e.origin = "plant/" + e.device_id + "/telemetry";
  e.seq = seq;
  e.event_time_ms = 1000;
  e.format = PayloadFormat::kJson;
  e.payload = std::move(payload);
  return e;
}

TEST_CASE("a JSON batch is one valid document with the seq range and every event") {
  BatchEncoder encoder(BatchFormat::kJson, "gw", 64 * 1024, 100);
  encoder.Start("telemetry");
  for (uint64_t s = 7; s < 10; ++s) REQUIRE(encoder.Add(Numbered(s)) == BatchEncoder::AddResult::kAdded);
  CHECK(encoder.first_seq() == 7);
  CHECK(encoder.last_seq() == 9);
  const std::string message = encoder.Finish();
  CHECK(IsValidJson(message));
  CHECK(message.starts_with(R"({"gateway":"gw","stream":"telemetry","first_seq":7,"last_seq":9,"count":3,"events":[{"device":"dev-1","seq":7,)"));
}

TEST_CASE("an NDJSON batch has a header line and one valid line per event") {
  BatchEncoder encoder(BatchFormat::kNdjson, "gw", 64 * 1024, 100);
  encoder.Start("alerts");
  for (uint64_t s = 1; s <= 2; ++s) REQUIRE(encoder.Add(Numbered(s)) == BatchEncoder::AddResult::kAdded);
  const std::string message = encoder.Finish();
  std::vector<std::string> lines;
  for (size_t at = 0, nl; (nl = message.find('\n', at)) != std::string::npos; at = nl + 1) {
    lines.push_back(message.substr(at, nl - at));
  }
  REQUIRE(lines.size() == 3);
  for (const std::string& line : lines) CHECK(IsValidJson(line));
  CHECK(lines[0] == R"({"gateway":"gw","stream":"alerts","first_seq":1,"last_seq":2,"count":2})");
}

TEST_CASE("a pretty-printed payload stays on one NDJSON line, still the same JSON") {
  BatchEncoder encoder(BatchFormat::kNdjson, "gw", 64 * 1024, 10);
  encoder.Start("telemetry");
  REQUIRE(encoder.Add(Numbered(1, "{\n  \"t\": 21.5,\r\n  \"s\": \"a b\"\n}")) ==
          BatchEncoder::AddResult::kAdded);
  const std::string message = encoder.Finish();
  const size_t first_nl = message.find('\n');
  const std::string line = message.substr(first_nl + 1, message.size() - first_nl - 2);
  CHECK(line.find('\n') == std::string::npos);
  CHECK(IsValidJson(line));
}

TEST_CASE("a batch stops at the event limit and at the byte limit, never above it") {
  BatchEncoder by_count(BatchFormat::kJson, "gw", 64 * 1024, 2);
  by_count.Start("telemetry");
  CHECK(by_count.Add(Numbered(1)) == BatchEncoder::AddResult::kAdded);
  CHECK(by_count.Add(Numbered(2)) == BatchEncoder::AddResult::kAdded);
  CHECK(by_count.Add(Numbered(3)) == BatchEncoder::AddResult::kFull);

  const size_t limit = 2000;
  BatchEncoder by_bytes(BatchFormat::kJson, "gw", limit, 1000);
  by_bytes.Start("telemetry");
  uint64_t seq = 1;
  while (by_bytes.Add(Numbered(seq)) == BatchEncoder::AddResult::kAdded) ++seq;
  CHECK(seq > 5);
  CHECK(by_bytes.Finish().size() <= limit);
}

TEST_CASE("an event that alone exceeds the limit is reported as too large") {
  BatchEncoder encoder(BatchFormat::kJson, "gw", 500, 10);
  encoder.Start("telemetry");
  CHECK(encoder.Add(Numbered(1, "\"" + std::string(600, 'x') + "\"")) ==
        BatchEncoder::AddResult::kTooLarge);
  CHECK(encoder.count() == 0);
}

TEST_CASE("batch none is the per-event envelope, one event per message") {
  BatchEncoder encoder(BatchFormat::kNone, "gw", 64 * 1024, 500);
  encoder.Start("telemetry");
  CHECK(encoder.Add(Numbered(1)) == BatchEncoder::AddResult::kAdded);
  CHECK(encoder.Add(Numbered(2)) == BatchEncoder::AddResult::kFull);
  std::string expected;
  AppendEnvelope(expected, "gw", Numbered(1));
  CHECK(encoder.Finish() == expected);
}

}  // namespace
}  // namespace ef::uplink
