#include "rules/output_payload.h"

#include <charconv>
#include <cmath>

#include "core/json.h"

namespace ef::rules {
namespace {

// AppendJsonString, with the common case (nothing to escape: names, device ids) in one
// append; a character at a time was a fifth of the engine's work (bench/README.md).
void AppendQuoted(std::string& out, std::string_view text) {
  for (const char c : text) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      AppendJsonString(out, text);
      return;
    }
  }
  out.push_back('"');
  out.append(text);
  out.push_back('"');
}

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
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof(buffer), *i);
    out.append(buffer, result.ptr);
  } else if (const auto* b = std::get_if<bool>(&value)) {
    out += *b ? "true" : "false";
  } else {
    AppendQuoted(out, std::get<std::string>(value));
  }
}

}  // namespace

std::string OutputPayload(std::string_view rule, std::string_view group, const Event& event) {
  std::string out = "{\"rule\":";
  out.reserve(64 + event.fields.size() * 24);
  AppendQuoted(out, rule);
  out += ",\"device\":";
  AppendQuoted(out, event.device_id);
  out += ",\"group\":";
  AppendQuoted(out, group);
  for (const Field& field : event.fields) {
    out.push_back(',');
    AppendQuoted(out, field.name);
    out.push_back(':');
    AppendValue(out, field.value);
  }
  out.push_back('}');
  return out;
}

}  // namespace ef::rules
