// Reading the CSV that `edgeferry replay` runs rules over: a header row naming the columns,
// then one row per sample with a timestamp and a numeric value (other columns ignored).
//
// Timestamps: "YYYY-MM-DD HH:MM:SS[.ffffff]" (NAB's form), the ISO form with 'T' and an
// optional 'Z' (always UTC; no other offsets), or a number: seconds since the Unix epoch, or
// milliseconds when it is above 1e11. A row whose value is not a number is kept (replay
// writes it back with score 0) but not fed to the rules, and counted. A row without the
// columns or with a bad timestamp is an error naming `file:line`. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ef::daemon {

struct ReplayRow {
  std::string time_text;   // as written, for the output
  std::string value_text;  // as written
  int64_t t_ms = 0;
  std::optional<double> value;  // nullopt: not a number
};

struct ReplaySeries {
  std::vector<ReplayRow> rows;
  size_t bad_values = 0;  // rows whose value is not a number
};

Result<int64_t> ParseTimestamp(std::string_view text);

Result<ReplaySeries> ReadReplayCsv(const std::string& path, std::string_view time_column,
                                   std::string_view value_column);

}  // namespace ef::daemon
