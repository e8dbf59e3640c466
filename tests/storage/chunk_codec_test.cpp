// The chunk codec (storage/chunk_codec.h): every member of an event survives a round trip, and
// a damaged blob is a Corruption status naming the stream and the chunk, never a crash.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "storage/chunk_codec.h"

namespace ef::storage {
namespace {

std::vector<ChunkEvent> Sample() {
  std::vector<ChunkEvent> events(4);
  for (size_t i = 0; i < events.size(); ++i) {
    Event& e = events[i].event;
    e.stream = "telemetry";
    e.seq = 42 + i * 3;  // gaps: other streams' seqs lie between
    e.device_id = "dev-" + std::to_string(i);
    e.origin = "plant/line-1/dev-" + std::to_string(i);
    e.ingest_time_ms = 1'700'000'000'000 + static_cast<int64_t>(i) * 7;
    e.event_time_ms = i == 2 ? -5 : e.ingest_time_ms - 1000;  // a time before the epoch too
    e.payload = i == 1 ? std::string("\0\xff\x01 binary", 10) : R"({"temp":41.7})";
    e.format = i == 1 ? PayloadFormat::kBinary : PayloadFormat::kJson;
    events[i].size = 100 + i;
  }
  events[0].event.fields = {{"temp", 41.7}, {"rpm", int64_t{1480}}, {"ok", true},
                            {"unit", std::string("C")}};
  events[1].event.quality = Quality::kUncertain;
  events[2].event.quality = Quality::kBad;
  events[2].event.clock_unsynced = true;
  events[3].event.time_from_payload = true;
  return events;
}

void CheckSame(const ChunkEvent& a, const ChunkEvent& b) {
  CHECK(a.size == b.size);
  CHECK(a.event.stream == b.event.stream);
  CHECK(a.event.seq == b.event.seq);
  CHECK(a.event.device_id == b.event.device_id);
  CHECK(a.event.origin == b.event.origin);
  CHECK(a.event.event_time_ms == b.event.event_time_ms);
  CHECK(a.event.ingest_time_ms == b.event.ingest_time_ms);
  CHECK(a.event.quality == b.event.quality);
  CHECK(a.event.clock_unsynced == b.event.clock_unsynced);
  CHECK(a.event.time_from_payload == b.event.time_from_payload);
  CHECK(a.event.format == b.event.format);
  CHECK(a.event.payload == b.event.payload);
  REQUIRE(a.event.fields.size() == b.event.fields.size());
  for (size_t i = 0; i < a.event.fields.size(); ++i) {
    CHECK(a.event.fields[i].name == b.event.fields[i].name);
    CHECK(a.event.fields[i].value == b.event.fields[i].value);
  }
}

TEST_CASE("chunk codec: every member of every event survives a round trip") {
  const std::vector<ChunkEvent> events = Sample();
  ChunkBuilder builder;
  for (const ChunkEvent& e : events) builder.Add(e.event, e.event.seq, e.size);
  CHECK(builder.summary().first_seq == 42);
  CHECK(builder.summary().last_seq == 51);
  CHECK(builder.summary().count == 4);
  CHECK(builder.summary().bytes == 100 + 101 + 102 + 103);
  CHECK(builder.summary().oldest_ingest == events[0].event.ingest_time_ms);
  ChunkCodec codec;
  std::string blob;
  REQUIRE(codec.Encode(builder, &blob).ok());
  std::vector<ChunkEvent> decoded;
  REQUIRE(codec.Decode(blob, "telemetry", 42, &decoded).ok());
  REQUIRE(decoded.size() == events.size());
  for (size_t i = 0; i < events.size(); ++i) CheckSame(decoded[i], events[i]);

  // Re-encoded from decoded events (a rewrite), the blob is the same.
  std::string again;
  ChunkSummary summary;
  REQUIRE(codec.Encode(decoded, &again, &summary).ok());
  CHECK(again == blob);
  CHECK(summary.count == 4);
}

TEST_CASE("chunk codec: a truncated or damaged blob is a Corruption naming the chunk") {
  std::vector<ChunkEvent> events = Sample();
  ChunkBuilder builder;
  for (const ChunkEvent& e : events) builder.Add(e.event, e.event.seq, e.size);
  ChunkCodec codec;
  std::string blob;
  REQUIRE(codec.Encode(builder, &blob).ok());
  std::vector<ChunkEvent> out;
  for (size_t n = 0; n < blob.size(); ++n) {  // every truncation
    const Status s = codec.Decode(std::string_view(blob).substr(0, n), "telemetry", 42, &out);
    REQUIRE_FALSE(s.ok());
    CHECK(s.code() == Status::Code::kCorruption);
    CHECK(s.message().find("stream 'telemetry'") != std::string::npos);
    CHECK(s.message().find("chunk at seq 42") != std::string::npos);
    CHECK(out.empty());
  }
  for (size_t at = 0; at < blob.size(); ++at) {  // every byte flipped: an error or events
    std::string damaged = blob;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x5a);
    const Status s = codec.Decode(damaged, "telemetry", 42, &out);
    CHECK((s.ok() || s.code() == Status::Code::kCorruption));
  }
  CHECK(codec.Decode("\x02", "telemetry", 42, &out).message().find("unknown chunk format") !=
        std::string::npos);
  // Raw bytes that decompress but do not parse (a zero count) are refused too.
  CHECK_FALSE(codec.Decode(std::string("\x01\x01", 2) + "x", "telemetry", 42, &out).ok());
}

}  // namespace
}  // namespace ef::storage
