#include "rules/detectors/alert_event.h"

#include <charconv>
#include <cmath>

#include "core/json.h"

namespace ef::rules {
namespace {

std::string Number(double v) {
  if (!std::isfinite(v)) return "null";  // JSON has no infinities
  char buf[40];
  const auto result = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, result.ptr);
}

void AppendMember(std::string& json, std::string_view key, const std::string& raw_value) {
  if (json.size() > 1) json += ',';
  AppendJsonString(json, key);
  json += ':';
  json += raw_value;
}

std::string Quoted(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

}  // namespace

std::vector<Field> AlertFields(std::string_view field, const AlertTransition& t) {
  return {
      {"field", std::string(field)},
      {"state", std::string(AlertStateName(t.state))},
      {"alert_id", t.alert_id},
      {"severity", std::string(SeverityName(t.severity))},
      {"score", t.score},
      {"peak_score", t.peak_score},
      {"trigger_value", t.trigger_value},
      {"value", t.value},
      {"raised_ms", t.raised_ms},
  };
}

Event AlertEvent(const AlertSource& source, const AlertTransition& t, int64_t event_time_ms) {
  Event event;
  event.stream = std::string(source.stream);
  event.device_id = std::string(source.device);
  event.origin = "rule/" + std::string(source.rule);
  event.event_time_ms = event_time_ms;
  event.format = PayloadFormat::kJson;
  event.fields = AlertFields(source.field, t);
  event.fields.insert(event.fields.begin(), Field{"rule", std::string(source.rule)});
  std::string json = "{";
  AppendMember(json, "device", Quoted(source.device));
  for (const Field& field : event.fields) {
    std::string raw;
    if (const auto* text = std::get_if<std::string>(&field.value)) {
      raw = Quoted(*text);
    } else if (const auto* i = std::get_if<int64_t>(&field.value)) {
      raw = std::to_string(*i);
    } else {
      raw = Number(std::get<double>(field.value));
    }
    AppendMember(json, field.name, raw);
  }
  json += '}';
  event.payload = std::move(json);
  return event;
}

}  // namespace ef::rules
