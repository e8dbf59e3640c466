#include "rules/output_payload.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/json.h"

namespace ef::rules {
namespace {

// Whether any of the 8 bytes in `word` is a control character, '"' or '\\' (the bytes JSON
// escapes), tested all at once (the "has less" and "has zero byte" word tricks; exact).
bool NeedsEscape(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  const uint64_t quote = word ^ (kOnes * '"');
  const uint64_t backslash = word ^ (kOnes * '\\');
  const uint64_t control = (word - kOnes * 0x20) & ~word;
  const uint64_t zero_quote = (quote - kOnes) & ~quote;
  const uint64_t zero_backslash = (backslash - kOnes) & ~backslash;
  return ((control | zero_quote | zero_backslash) & kHighs) != 0;
}

bool NeedsEscape(std::string_view text) {
  const size_t n = text.size();
  if (n < 8) {
    for (const char c : text) {
      if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return true;
    }
    return false;
  }
  uint64_t word;
  for (size_t i = 0; i + 8 < n; i += 8) {
    std::memcpy(&word, text.data() + i, 8);
    if (NeedsEscape(word)) return true;
  }
  std::memcpy(&word, text.data() + n - 8, 8);  // the last 8 (overlapping the loop's)
  return NeedsEscape(word);
}

// memcpy for the short pieces of a payload: fixed-size copies the compiler inlines (two
// overlapping ones) instead of a library call per piece.
void CopyShort(char* to, const char* from, size_t n) {
  if (n >= 8 && n <= 16) {
    std::memcpy(to, from, 8);
    std::memcpy(to + n - 8, from + n - 8, 8);
  } else if (n >= 4 && n < 8) {
    std::memcpy(to, from, 4);
    std::memcpy(to + n - 4, from + n - 4, 4);
  } else if (n < 4) {
    for (size_t i = 0; i < n; ++i) to[i] = from[i];
  } else {
    std::memcpy(to, from, n);
  }
}

// Room a value may take when written: strings escaped as \u00XX at worst, numbers at most
// 32 characters.
size_t MaxText(std::string_view text) { return text.size() * 6 + 2; }
size_t MaxWritten(const Value& value) {
  const auto* text = std::get_if<std::string>(&value);
  return text != nullptr ? MaxText(*text) : 32;
}

// Writes at `p`, which has room (MaxWritten); returns the end. The common case (nothing to
// escape: names, device ids) is one copy, tested 8 bytes at a time: a character at a time
// was a fifth of the engine's work (bench/README.md).
char* WriteQuoted(char* p, std::string_view text) {
  if (NeedsEscape(text)) {
    std::string escaped;
    AppendJsonString(escaped, text);
    std::memcpy(p, escaped.data(), escaped.size());
    return p + escaped.size();
  }
  *p++ = '"';
  CopyShort(p, text.data(), text.size());
  p += text.size();
  *p++ = '"';
  return p;
}

char* WriteRaw(char* p, std::string_view text) {
  CopyShort(p, text.data(), text.size());
  return p + text.size();
}

char* WriteValue(char* p, const Value& value) {
  if (const auto* d = std::get_if<double>(&value)) {
    if (!std::isfinite(*d)) return WriteRaw(p, "null");
    return std::to_chars(p, p + 32, *d).ptr;
  }
  if (const auto* i = std::get_if<int64_t>(&value)) return std::to_chars(p, p + 32, *i).ptr;
  if (const auto* b = std::get_if<bool>(&value)) return WriteRaw(p, *b ? "true" : "false");
  return WriteQuoted(p, std::get<std::string>(value));
}

}  // namespace

std::string OutputPayload(std::string_view rule, std::string_view group, const Event& event) {
  size_t room = 40 + MaxText(rule) + MaxText(event.device_id) + MaxText(group);
  for (const Field& field : event.fields) {
    room += 2 + MaxText(field.name) + MaxWritten(field.value);
  }
  // Written in a reused buffer with the room known beforehand (no check per piece), then
  // copied once into the result: appending piece by piece to a string was most of the cost
  // of an output.
  thread_local std::string buffer;
  if (buffer.size() < room) buffer.resize(std::max(room, buffer.size() * 2));
  char* const start = buffer.data();
  char* p = WriteRaw(start, "{\"rule\":");
  p = WriteQuoted(p, rule);
  p = WriteRaw(p, ",\"device\":");
  p = WriteQuoted(p, event.device_id);
  p = WriteRaw(p, ",\"group\":");
  p = WriteQuoted(p, group);
  for (const Field& field : event.fields) {
    *p++ = ',';
    p = WriteQuoted(p, field.name);
    *p++ = ':';
    p = WriteValue(p, field.value);
  }
  *p++ = '}';
  return std::string(start, p);
}

}  // namespace ef::rules
