// The cloud message format (documented in README.md, "Cloud envelope").
//
// One JSON object per event, keys in this order:
//   {"gateway":..., "stream":..., "device":..., "seq":N, "time":MS, "topic":..., "payload":{...}}
// `payload` is the original JSON verbatim; a payload that is not JSON is carried as
// "payload_b64" (standard base64) instead. Pure functions and immutable objects: thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"

namespace ef::uplink {

// Appends the envelope of `event` to `out`.
void AppendEnvelope(std::string& out, std::string_view gateway, const Event& event);

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
