#include "daemon/replay_csv.h"

#include <charconv>
#include <cmath>
#include <fstream>

#include "core/civil_time.h"

namespace ef::daemon {
namespace {

bool ReadInt(std::string_view text, size_t pos, size_t len, int64_t* out) {
  if (pos + len > text.size()) return false;
  const char* begin = text.data() + pos;
  const auto [ptr, ec] = std::from_chars(begin, begin + len, *out);
  return ec == std::errc() && ptr == begin + len;
}

std::optional<double> ParseNumber(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
  double value = 0.0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

std::vector<std::string_view> SplitCsv(std::string_view line) {
  std::vector<std::string_view> cells;
  while (true) {
    const size_t comma = line.find(',');
    std::string_view cell = line.substr(0, comma);
    if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') {
      cell = cell.substr(1, cell.size() - 2);
    }
    cells.push_back(cell);
    if (comma == std::string_view::npos) break;
    line.remove_prefix(comma + 1);
  }
  return cells;
}

}  // namespace

Result<int64_t> ParseTimestamp(std::string_view text) {
  if (!text.empty() && text.back() == 'Z') text.remove_suffix(1);
  if (text.find('-') == std::string_view::npos || text.size() < 10) {
    const auto number = ParseNumber(text);
    if (!number) return Status::InvalidArgument("not a timestamp: '" + std::string(text) + "'");
    return static_cast<int64_t>(std::llround(*number > 1e11 ? *number : *number * 1000.0));
  }
  int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  const bool date_ok = ReadInt(text, 0, 4, &y) && text[4] == '-' && ReadInt(text, 5, 2, &mo) &&
                       text[7] == '-' && ReadInt(text, 8, 2, &d);
  bool time_ok = text.size() == 10;
  int64_t frac_ms = 0;
  if (text.size() >= 19 && (text[10] == ' ' || text[10] == 'T')) {
    time_ok = ReadInt(text, 11, 2, &h) && text[13] == ':' && ReadInt(text, 14, 2, &mi) &&
              text[16] == ':' && ReadInt(text, 17, 2, &s);
    if (time_ok && text.size() > 19) {
      // Fraction of a second: keep milliseconds, ignore finer digits.
      std::string digits(text.substr(20));
      time_ok = text[19] == '.' && !digits.empty() &&
                digits.find_first_not_of("0123456789") == std::string::npos;
      digits = (digits + "000").substr(0, 3);
      if (time_ok) time_ok = ReadInt(digits, 0, 3, &frac_ms);
    }
  }
  if (!date_ok || !time_ok || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
      s > 60) {
    return Status::InvalidArgument("not a timestamp: '" + std::string(text) + "'");
  }
  return ((DaysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + s * 1000 + frac_ms;
}

Result<ReplaySeries> ReadReplayCsv(const std::string& path, std::string_view time_column,
                                   std::string_view value_column) {
  std::ifstream in(path);
  if (!in) return Status::NotFound(path + ": cannot open");
  std::string line;
  if (!std::getline(in, line)) return Status::InvalidArgument(path + ":1: empty file");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const auto header = SplitCsv(line);
  size_t time_index = header.size();
  size_t value_index = header.size();
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == time_column) time_index = i;
    if (header[i] == value_column) value_index = i;
  }
  if (time_index == header.size() || value_index == header.size()) {
    return Status::InvalidArgument(path + ":1: no column '" +
                                   std::string(time_index == header.size() ? time_column
                                                                           : value_column) +
                                   "' in the header");
  }
  ReplaySeries series;
  for (int line_no = 2; std::getline(in, line); ++line_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto cells = SplitCsv(line);
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    if (cells.size() <= std::max(time_index, value_index)) {
      return Status::InvalidArgument(where + "too few columns");
    }
    auto t_ms = ParseTimestamp(cells[time_index]);
    if (!t_ms.ok()) return Status::InvalidArgument(where + t_ms.status().message());
    ReplayRow row{std::string(cells[time_index]), std::string(cells[value_index]), *t_ms,
                  ParseNumber(cells[value_index])};
    if (!row.value) ++series.bad_values;
    series.rows.push_back(std::move(row));
  }
  return series;
}

}  // namespace ef::daemon
