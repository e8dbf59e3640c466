// Event time from a payload's time field: epoch numbers in a unit, or RFC 3339 text.
//
// Accepted times lie in [1970-01-01, 2100-01-01): a device whose clock says 1969 or 2200 is
// wrong, and its message is refused with the reason rather than stored at a nonsense time.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/decode_spec.h"

namespace ef::pipeline {

inline constexpr int64_t kLatestEventTimeMs = 4102444800000;  // 2100-01-01T00:00:00Z

// Why a time was refused.
enum class TimeError { kNone, kNotATime, kBefore1970, kAfter2100 };

// `value` (a number of `format`'s unit) in ms since the epoch. Fractions are rounded to ms.
TimeError EpochToMillis(double value, TimeFormat format, int64_t* ms);
// Integer variant: exact for every int64.
TimeError EpochToMillis(int64_t value, TimeFormat format, int64_t* ms);
// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" ('t', 'z' and ' ' accepted too).
TimeError ParseRfc3339(std::string_view text, int64_t* ms);

}  // namespace ef::pipeline
