// Small JSON helpers shared by connectors and uplink: validation (simdjson), string
// escaping and base64 for payloads that are not JSON. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace ef {

// True when `text` is one complete, valid JSON value (RFC 8259).
bool IsValidJson(std::string_view text);

// Appends `text` as a quoted JSON string, escaping what RFC 8259 requires. Bytes are copied
// as they are otherwise (UTF-8 passes through).
void AppendJsonString(std::string& out, std::string_view text);

// `v` in fixed notation with `digits` decimals ("41.7"), independent of the locale.
std::string FormatDecimal(double v, int digits);

// Appends standard base64 (RFC 4648, with padding).
void AppendBase64(std::string& out, std::string_view bytes);

// "simdjson 3.0.1": the JSON library linked.
std::string JsonLibraryVersion();
}  // namespace ef
