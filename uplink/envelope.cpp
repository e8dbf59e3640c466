#include "uplink/envelope.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <type_traits>
#include <variant>

#include "core/json.h"

namespace ef::uplink {
namespace {

struct Placeholder {
  std::string_view name;
  int part;
};
constexpr std::array<Placeholder, 3> kPlaceholders = {{
    {"{gateway}", 1}, {"{stream}", 2}, {"{device}", 3}}};

void AppendTopicValue(std::string& out, std::string_view value) {
  for (char c : value) out += (c == '+' || c == '#') ? '_' : c;
}

// Numbers are formatted on the stack (std::to_chars): no allocation per event. A double is
// written in its shortest form that reads back exactly; JSON has no NaN or infinity: null.
template <class Number>
void AppendNumber(std::string& out, Number n) {
  if constexpr (std::is_floating_point_v<Number>) {
    if (!std::isfinite(n)) {
      out += "null";
      return;
    }
  }
  char digits[32];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

struct AppendFieldValue {
  std::string& out;
  void operator()(bool v) const { out += v ? "true" : "false"; }
  void operator()(int64_t v) const { AppendNumber(out, v); }
  void operator()(double v) const { AppendNumber(out, v); }
  void operator()(const std::string& v) const { AppendJsonString(out, v); }
};

// The keys added after the payload, each only when it says something (see envelope.h).
void AppendReadingKeys(std::string& out, const Event& event) {
  if (event.event_time_ms != event.ingest_time_ms) {
    out += ",\"event_time\":";
    AppendNumber(out, event.event_time_ms);
  }
  if (event.quality != Quality::kGood) {
    out += event.quality == Quality::kUncertain ? ",\"quality\":\"uncertain\""
                                                 : ",\"quality\":\"bad\"";
  }
  if (!event.fields.empty()) {
    out += ",\"fields\":{";
    for (const Field& field : event.fields) {
      if (&field != &event.fields.front()) out += ',';
      AppendJsonString(out, field.name);
      out += ':';
      std::visit(AppendFieldValue{out}, field.value);
    }
    out += '}';
  }
  if (event.clock_unsynced) out += ",\"clock\":\"unsynced\"";
}

}  // namespace

// The per-event keys after gateway and stream.
static void AppendEventFields(std::string& out, const Event& event) {
  out += "\"device\":";
  AppendJsonString(out, event.device_id);
  out += ",\"seq\":";
  AppendNumber(out, event.seq);
  out += ",\"time\":";
  AppendNumber(out, event.ingest_time_ms);
  out += ",\"topic\":";
  AppendJsonString(out, event.origin);
  if (event.format == PayloadFormat::kJson) {
    out += ",\"payload\":";
    out += event.payload;
  } else {
    out += ",\"payload_b64\":\"";
    AppendBase64(out, event.payload);
    out += '"';
  }
  AppendReadingKeys(out, event);
}

void AppendEnvelope(std::string& out, std::string_view gateway, const Event& event) {
  out += "{\"gateway\":";
  AppendJsonString(out, gateway);
  out += ",\"stream\":";
  AppendJsonString(out, event.stream);
  out += ',';
  AppendEventFields(out, event);
  out += '}';
}

BatchEncoder::BatchEncoder(BatchFormat format, std::string gateway, size_t max_bytes,
                           size_t max_events)
    : format_(format), gateway_(std::move(gateway)), max_bytes_(max_bytes),
      max_events_(format == BatchFormat::kNone ? 1 : std::max<size_t>(1, max_events)) {}

void BatchEncoder::Start(std::string stream) {
  stream_ = std::move(stream);
  body_.clear();
  count_ = 0;
}

size_t BatchEncoder::HeaderSize() const {
  // {"gateway":"..","stream":"..","first_seq":20 digits,"last_seq":..,"count":..,"events":[]}
  return 96 + 2 * 20 + 10 + gateway_.size() * 2 + stream_.size() * 2;
}

BatchEncoder::AddResult BatchEncoder::Add(const Event& event) {
  if (count_ >= max_events_) return AddResult::kFull;
  scratch_.clear();
  if (format_ == BatchFormat::kNone) {
    AppendEnvelope(scratch_, gateway_, event);
  } else {
    scratch_ += '{';
    AppendEventFields(scratch_, event);
    scratch_ += '}';
  }
  if (format_ == BatchFormat::kNdjson) {
    // A pretty-printed payload must not split its event over lines. Raw line breaks in valid
    // JSON can only be whitespace between tokens (inside strings they are escaped), so
    // blanking them keeps the document the same.
    std::replace_if(scratch_.begin(), scratch_.end(), [](char c) { return c == '\n' || c == '\r'; },
                    ' ');
  }
  const size_t overhead = format_ == BatchFormat::kNone ? 0 : HeaderSize() + 1;
  if (overhead + scratch_.size() > max_bytes_) return AddResult::kTooLarge;
  if (count_ > 0 && overhead + body_.size() + scratch_.size() > max_bytes_) {
    return AddResult::kFull;
  }
  if (count_ > 0) body_ += format_ == BatchFormat::kNdjson ? '\n' : ',';
  body_ += scratch_;
  if (count_ == 0) first_seq_ = event.seq;
  last_seq_ = event.seq;
  ++count_;
  return AddResult::kAdded;
}

std::string BatchEncoder::Finish() {
  std::string out;
  if (format_ == BatchFormat::kNone) {
    out.swap(body_);
  } else {
    out.reserve(body_.size() + HeaderSize());
    out += "{\"gateway\":";
    AppendJsonString(out, gateway_);
    out += ",\"stream\":";
    AppendJsonString(out, stream_);
    out += ",\"first_seq\":" + std::to_string(first_seq_) +
           ",\"last_seq\":" + std::to_string(last_seq_) + ",\"count\":" + std::to_string(count_);
    if (format_ == BatchFormat::kJson) {
      out += ",\"events\":[";
      out += body_;
      out += "]}";
    } else {
      out += "}\n";
      out += body_;
      out += '\n';
    }
  }
  body_.clear();
  count_ = 0;
  return out;
}

std::string TopicTemplate::Validate(std::string_view pattern) {
  if (pattern.empty()) return "topic template must not be empty";
  if (pattern.find_first_of("+#") != std::string_view::npos) {
    return "topic template must not contain the wildcards '+' or '#'";
  }
  for (size_t open = pattern.find('{'); open != std::string_view::npos;
       open = pattern.find('{', open + 1)) {
    const size_t close = pattern.find('}', open);
    const std::string_view name =
        pattern.substr(open, close == std::string_view::npos ? close : close - open + 1);
    bool known = false;
    for (const Placeholder& p : kPlaceholders) known = known || p.name == name;
    if (!known) {
      return "unknown placeholder '" + std::string(name) +
             "' (use {gateway}, {stream} or {device})";
    }
  }
  return {};
}

TopicTemplate::TopicTemplate(std::string_view pattern) {
  size_t pos = 0;
  while (pos < pattern.size()) {
    const size_t open = pattern.find('{', pos);
    const size_t close = open == std::string_view::npos ? open : pattern.find('}', open);
    if (open == std::string_view::npos || close == std::string_view::npos) {
      parts_.emplace_back(Part::kText, std::string(pattern.substr(pos)));
      break;
    }
    if (open > pos) parts_.emplace_back(Part::kText, std::string(pattern.substr(pos, open - pos)));
    const std::string_view name = pattern.substr(open, close - open + 1);
    for (const Placeholder& p : kPlaceholders) {
      if (p.name == name) parts_.emplace_back(static_cast<Part>(p.part), std::string());
    }
    pos = close + 1;
  }
}

std::string TopicTemplate::Expand(std::string_view gateway, const Event& event) const {
  std::string out;
  for (const auto& [part, text] : parts_) {
    switch (part) {
      case Part::kText: out += text; break;
      case Part::kGateway: AppendTopicValue(out, gateway); break;
      case Part::kStream: AppendTopicValue(out, event.stream); break;
      case Part::kDevice: AppendTopicValue(out, event.device_id); break;
    }
  }
  return out;
}

}  // namespace ef::uplink
