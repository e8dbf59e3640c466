#include "rules/output_payload.h"

#include <charconv>
#include <cmath>

#include "core/json.h"

namespace ef::rules {
namespace {

void AppendValue(std::string& out, const Value& value) {
  if (const auto* d = std::get_if<double>(&value)) {
    if (!std::isfinite(*d)) {
      out += "null";
      return;
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof(buffer), *d);
    out.append(buffer, result.ptr);
  } else if (const auto* i = std::get_if<int64_t>(&value)) {
    out += std::to_string(*i);
  } else if (const auto* b = std::get_if<bool>(&value)) {
    out += *b ? "true" : "false";
  } else {
    AppendJsonString(out, std::get<std::string>(value));
  }
}

}  // namespace

std::string OutputPayload(std::string_view rule, std::string_view group, const Event& event) {
  std::string out = "{\"rule\":";
  out.reserve(64 + event.fields.size() * 24);
  AppendJsonString(out, rule);
  out += ",\"device\":";
  AppendJsonString(out, event.device_id);
  out += ",\"group\":";
  AppendJsonString(out, group);
  for (const Field& field : event.fields) {
    out.push_back(',');
    AppendJsonString(out, field.name);
    out.push_back(':');
    AppendValue(out, field.value);
  }
  out.push_back('}');
  return out;
}

}  // namespace ef::rules
