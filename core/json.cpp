#include "core/json.h"

#include <charconv>

#include <simdjson.h>

namespace ef {

bool IsValidJson(std::string_view text) {
  // The DOM parser validates the whole document (the on-demand API would not). A parser per
  // thread reuses its buffers; payloads are small, so this costs well under a microsecond.
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  return parser.parse(padded).get(root) == simdjson::SUCCESS;
}

std::vector<std::pair<std::string, std::string>> JsonScalarMembers(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::object object;
  std::vector<std::pair<std::string, std::string>> members;
  if (parser.parse(padded).get(object) != simdjson::SUCCESS) return members;
  for (const auto [key, value] : object) {
    std::string_view string;
    if (value.get(string) == simdjson::SUCCESS) {
      members.emplace_back(std::string(key), std::string(string));
    } else if (!value.is_object() && !value.is_array()) {
      members.emplace_back(std::string(key), simdjson::minify(value));
    }
  }
  return members;
}

void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (byte < 0x20) {
          out += "\\u00";
          out += kHex[byte >> 4];
          out += kHex[byte & 0xF];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void AppendBase64(std::string& out, std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  auto at = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest == 0) return;
  const uint32_t v = (at(i) << 16) | (rest == 2 ? at(i + 1) << 8 : 0);
  out += kAlphabet[(v >> 18) & 63];
  out += kAlphabet[(v >> 12) & 63];
  out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
  out += '=';
}

}  // namespace ef

namespace ef {
std::string FormatDecimal(double v, int digits) {
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof(buffer), v, std::chars_format::fixed, digits);
  if (result.ec != std::errc()) return "0";
  return std::string(buffer, result.ptr);
}

std::string JsonLibraryVersion() { return "simdjson " + std::to_string(simdjson::SIMDJSON_VERSION_MAJOR) + "." +
         std::to_string(simdjson::SIMDJSON_VERSION_MINOR) + "." +
         std::to_string(simdjson::SIMDJSON_VERSION_REVISION); }
}  // namespace ef
