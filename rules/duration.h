// Durations in rule files: "500ms", "30s", "5m", "2h", "1d", or a sum such as "1m30s".
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/config.h"

namespace ef::rules {

// Milliseconds in `text`; nullopt when it is not a duration as above (a bare number is not:
// the unit is required, so "60" cannot be misread as seconds or milliseconds).
std::optional<int64_t> ParseDurationMs(std::string_view text);

// Binds the duration at `key` of `table` into `*ms`; reports a wrong type or bad text at the
// value's position. Absent: `*ms` is unchanged. Returns false on error.
bool BindDuration(const ConfigNode& table, std::string_view key, int64_t* ms,
                  ConfigErrors& errors);

// "1m30s" for 90000: the shortest form, for messages.
std::string FormatDurationMs(int64_t ms);

}  // namespace ef::rules
