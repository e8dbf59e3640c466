// The cloud message formats (documented in README.md, "Cloud envelope").
//
// batch = "none": one JSON object per event, keys in this order:
//   {"gateway":..., "stream":..., "device":..., "seq":N, "time":MS, "topic":..., "payload":{...}
//    [, "event_time":MS][, "quality":...][, "fields":{...}][, "clock":"unsynced"]}
// batch = "json": one object per batch of one stream:
//   {"gateway":..., "stream":..., "first_seq":N, "last_seq":N, "count":N, "events":[
//     {"device":..., "seq":N, "time":MS, "topic":..., "payload":{...}}, ...]}
// batch = "ndjson": the same header object on the first line, then one event object per line.
// `time` is the ingest time (ms since the epoch). `payload` is the original JSON verbatim; a
// payload that is not JSON is carried as "payload_b64" (standard base64) instead. After the
// payload come, each only when it says something, so that an event of a plain MQTT message
// looks exactly as before:
//   "event_time":MS   the reading's own time, when it differs from `time`;
//   "quality":"uncertain"|"bad"   absent means good;
//   "fields":{"name":value,...}   when the event has fields, in their order: int64 and
//                     double as JSON numbers (NaN and infinities as null), bools as
//                     true/false, strings escaped as every string of the envelope;
//   "clock":"unsynced"   the ingest time `time` was stamped while the gateway's clock was not
//                     synchronised to a time source (Event::clock_unsynced): distrust it.
// Every member of an Event is thus carried (its stream in the envelope or batch header).
// Pure functions and immutable objects are thread-safe; a BatchEncoder belongs to one thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"

namespace ef::uplink {

// Appends the envelope of `event` to `out`.
void AppendEnvelope(std::string& out, std::string_view gateway, const Event& event);

enum class BatchFormat { kNone, kJson, kNdjson };

// Packs events of one stream into one message, within a byte and an event limit.
class BatchEncoder {
 public:
  enum class AddResult { kAdded, kFull, kTooLarge };
  BatchEncoder(BatchFormat format, std::string gateway, size_t max_bytes, size_t max_events);

  void Start(std::string stream);
  // kFull: the event does not fit any more (send this batch, start another); kTooLarge: the
  // event alone exceeds the limit and can never be sent.
  AddResult Add(const Event& event);
  // The message; the encoder is empty again afterwards. REQUIRES: count() > 0.
  std::string Finish();

  size_t count() const { return count_; }
  uint64_t first_seq() const { return first_seq_; }
  uint64_t last_seq() const { return last_seq_; }

 private:
  size_t HeaderSize() const;

  const BatchFormat format_;
  const std::string gateway_;
  const size_t max_bytes_;
  const size_t max_events_;
  std::string stream_;
  std::string body_;
  std::string scratch_;
  size_t count_ = 0;
  uint64_t first_seq_ = 0, last_seq_ = 0;
};

// A topic template such as "edgeferry/{gateway}/{stream}/{device}", parsed once.
class TopicTemplate {
 public:
  explicit TopicTemplate(std::string_view pattern);
  // An error message for an unusable pattern (unknown placeholder, wildcard), else empty.
  static std::string Validate(std::string_view pattern);
  // The topic for `event`. Wildcard characters in values ('+', '#') become '_'.
  std::string Expand(std::string_view gateway, const Event& event) const;

 private:
  enum class Part { kText, kGateway, kStream, kDevice };
  std::vector<std::pair<Part, std::string>> parts_;
};

}  // namespace ef::uplink
