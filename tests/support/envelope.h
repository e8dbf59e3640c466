// Reading edgeferry's cloud messages ("envelopes") in tests and benchmark tools.
//
// An envelope is one JSON object with the keys gateway, stream, device, seq, time, topic and
// then either payload (the original JSON payload, verbatim) or payload_b64 (base64 of a
// payload that was not JSON), then only when they say something event_time, quality and
// fields. The parser keeps the key order it saw, so tests can check it.
//
// A batch (edgeferry's `batch = "json"` or `"ndjson"`) is one message per stream holding many
// events: a header object {gateway, stream, first_seq, last_seq, count} followed by the events,
// either as its "events" array (json) or one event object per line after the header line
// (ndjson). Each event object has the per-event keys of an envelope (device, seq, time, topic,
// payload or payload_b64); ParseBatch returns them as Envelopes with gateway and stream filled
// in from the header, so code that checks single envelopes can check batched events as well.
//
// Thread-safety: an EnvelopeParser reuses one parse buffer and must be used by one thread at
// a time (give each thread or each mutex-guarded owner its own).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ef::testkit {

struct Envelope {
  std::vector<std::string> keys;  // top-level keys in document order
  std::string gateway;
  std::string stream;
  std::string device;
  std::string topic;
  std::optional<int64_t> seq;
  std::optional<int64_t> time_ms;
  std::optional<std::string> payload;      // raw JSON text of "payload", as sent
  std::optional<std::string> payload_b64;  // value of "payload_b64"
  std::optional<int64_t> event_time_ms;    // "event_time": absent when equal to `time`
  std::optional<std::string> quality;      // "uncertain" | "bad"; absent means good
  std::optional<std::string> fields;       // raw JSON text of the "fields" object
};

struct Batch {
  std::vector<std::string> keys;  // header keys in document order ("events" included for json)
  std::string gateway;
  std::string stream;
  std::optional<int64_t> first_seq;
  std::optional<int64_t> last_seq;
  std::optional<int64_t> count;
  bool ndjson = false;
  std::vector<Envelope> events;  // in message order; `keys` of each are the event's own keys
};

class EnvelopeParser {
 public:
  EnvelopeParser();
  ~EnvelopeParser();
  EnvelopeParser(const EnvelopeParser&) = delete;
  EnvelopeParser& operator=(const EnvelopeParser&) = delete;

  // Parses one cloud message. Returns std::nullopt unless it is a JSON object whose known keys
  // have the expected types (unknown keys are recorded in `keys` and otherwise skipped).
  std::optional<Envelope> Parse(std::string_view message);

  // Parses a batch message (json or ndjson, detected from the text). Returns std::nullopt
  // unless the header and every event parse with the expected types.
  std::optional<Batch> ParseBatch(std::string_view message);

  // Returns the integer member `key` of the JSON object `json` (e.g. a payload's counter "n"
  // or its send time "t_us"), or std::nullopt if absent, not an integer or not an object.
  std::optional<int64_t> IntField(std::string_view json, std::string_view key);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ef::testkit
