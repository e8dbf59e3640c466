#include "uplink/envelope.h"

#include <array>

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

}  // namespace

void AppendEnvelope(std::string& out, std::string_view gateway, const Event& event) {
  out += "{\"gateway\":";
  AppendJsonString(out, gateway);
  out += ",\"stream\":";
  AppendJsonString(out, event.stream);
  out += ",\"device\":";
  AppendJsonString(out, event.device_id);
  out += ",\"seq\":";
  out += std::to_string(event.seq);
  out += ",\"time\":";
  out += std::to_string(event.event_time_ms);
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
  out += '}';
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
