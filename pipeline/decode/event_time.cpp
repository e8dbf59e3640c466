#include "pipeline/decode/event_time.h"

#include <cmath>

#include "core/civil_time.h"

namespace ef::pipeline {
namespace {

// Units per millisecond (as divisor) or milliseconds per unit (as multiplier).
constexpr double kMsPerUnit[] = {1000.0, 1.0, 0.001, 0.000001, 1.0};

TimeError InRange(int64_t ms) {
  if (ms < 0) return TimeError::kBefore1970;
  if (ms >= kLatestEventTimeMs) return TimeError::kAfter2100;
  return TimeError::kNone;
}

// Reads exactly `n` digits at `*at`; false if they are not there.
bool Digits(std::string_view text, size_t* at, size_t n, int64_t* out) {
  if (*at + n > text.size()) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = text[*at + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *at += n;
  *out = v;
  return true;
}

bool Expect(std::string_view text, size_t* at, std::string_view one_of) {
  if (*at >= text.size() || one_of.find(text[*at]) == std::string_view::npos) return false;
  ++*at;
  return true;
}

int64_t DaysInMonth(int64_t y, int64_t m) {
  static constexpr int64_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Milliseconds of a ".123456" fraction (more digits are read and truncated).
bool Fraction(std::string_view text, size_t* at, int64_t* ms) {
  *ms = 0;
  if (*at >= text.size() || text[*at] != '.') return true;
  ++*at;
  size_t digits = 0;
  for (; *at < text.size() && text[*at] >= '0' && text[*at] <= '9'; ++*at, ++digits) {
    if (digits < 3) *ms = *ms * 10 + (text[*at] - '0');
  }
  for (size_t i = digits; i < 3; ++i) *ms *= 10;
  return digits > 0;
}

// The zone's offset east of UTC in minutes.
bool Zone(std::string_view text, size_t* at, int64_t* minutes) {
  *minutes = 0;
  if (Expect(text, at, "Zz")) return true;
  if (*at >= text.size()) return false;
  const int64_t sign = text[*at] == '-' ? -1 : 1;
  int64_t h = 0, m = 0;
  if (!Expect(text, at, "+-") || !Digits(text, at, 2, &h) || !Expect(text, at, ":") ||
      !Digits(text, at, 2, &m) || h > 23 || m > 59) {
    return false;
  }
  *minutes = sign * (h * 60 + m);
  return true;
}

}  // namespace

TimeError EpochToMillis(double value, TimeFormat format, int64_t* ms) {
  if (!std::isfinite(value)) return TimeError::kNotATime;
  const double v = value * kMsPerUnit[static_cast<int>(format)];
  if (v < 0) return TimeError::kBefore1970;
  if (v >= static_cast<double>(kLatestEventTimeMs)) return TimeError::kAfter2100;
  *ms = std::llround(v);
  return InRange(*ms);
}

TimeError EpochToMillis(int64_t value, TimeFormat format, int64_t* ms) {
  switch (format) {
    case TimeFormat::kUnix:
      if (value < 0) return TimeError::kBefore1970;
      if (value >= kLatestEventTimeMs / 1000) return TimeError::kAfter2100;
      *ms = value * 1000;
      break;
    case TimeFormat::kUnixUs: *ms = value / 1000; break;
    case TimeFormat::kUnixNs: *ms = value / 1000000; break;
    default: *ms = value; break;
  }
  if (value < 0) return TimeError::kBefore1970;
  return InRange(*ms);
}

TimeError ParseRfc3339(std::string_view text, int64_t* ms) {
  size_t at = 0;
  int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, frac = 0, zone = 0;
  const bool ok = Digits(text, &at, 4, &y) && Expect(text, &at, "-") &&
                  Digits(text, &at, 2, &mo) && Expect(text, &at, "-") &&
                  Digits(text, &at, 2, &d) && Expect(text, &at, "Tt ") &&
                  Digits(text, &at, 2, &h) && Expect(text, &at, ":") &&
                  Digits(text, &at, 2, &mi) && Expect(text, &at, ":") &&
                  Digits(text, &at, 2, &s) && Fraction(text, &at, &frac) &&
                  Zone(text, &at, &zone) && at == text.size();
  if (!ok || mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo) || h > 23 || mi > 59 ||
      s > 60) {
    return TimeError::kNotATime;
  }
  const int64_t seconds = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - zone * 60;
  *ms = seconds * 1000 + frac;
  return InRange(*ms);
}

}  // namespace ef::pipeline
