// Small JSON helpers shared by connectors and uplink: validation (simdjson), string
// escaping and base64 for payloads that are not JSON. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// The members of the JSON object `text` whose values are strings, numbers or booleans, in
// order, as text: a string's value unescaped, a number or boolean as JSON writes it. Nested
// objects and arrays are left out; empty when `text` is not a valid JSON object.
std::vector<std::pair<std::string, std::string>> JsonScalarMembers(std::string_view text);

// "simdjson 3.0.1": the JSON library linked.
std::string JsonLibraryVersion();
}  // namespace ef
