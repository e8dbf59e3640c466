#include "daemon/writes_report.h"

#include <cstdio>
#include <iterator>

#include "daemon/drain_estimate.h"

namespace ef::daemon {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kMinRunMs = 60'000;  // a rate per day over less than this says little

std::string Fixed(double value, const char* format) {
  char text[48];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string OrNull(double value) { return value < 0 ? "null" : Fixed(value, "%.2f"); }

// "812 B", "12.5 kB", "3.4 MB", "1.2 GB" (powers of 1000, as card makers count).
std::string HumanBytes(double bytes) {
  static const char* const kUnits[] = {"B", "kB", "MB", "GB", "TB"};
  size_t unit = 0;
  while (bytes >= 1000 && unit + 1 < std::size(kUnits)) {
    bytes /= 1000;
    ++unit;
  }
  return Fixed(bytes, unit == 0 ? "%.0f" : "%.1f") + " " + kUnits[unit];
}

}  // namespace

double WrittenPerEvent(const storage::StorageWrites& w) {
  if (w.as_of_ms == 0 || w.events == 0) return -1;
  return static_cast<double>(w.bytes) / static_cast<double>(w.events);
}

double WrittenPerDay(const storage::StorageWrites& w) {
  const int64_t run_ms = w.as_of_ms - w.since_ms;
  if (w.as_of_ms == 0 || run_ms < kMinRunMs) return -1;
  return static_cast<double>(w.bytes) * static_cast<double>(kDayMs) / static_cast<double>(run_ms);
}

std::string WritesJson(const storage::StorageWrites& w) {
  if (w.as_of_ms == 0) {
    return ",\"written_bytes\":null,\"written_events\":null,\"written_bytes_per_event\":null,"
           "\"written_bytes_per_day\":null,\"written_since_ms\":null,\"written_as_of_ms\":null";
  }
  return ",\"written_bytes\":" + std::to_string(w.bytes) +
         ",\"written_events\":" + std::to_string(w.events) +
         ",\"written_bytes_per_event\":" + OrNull(WrittenPerEvent(w)) +
         ",\"written_bytes_per_day\":" + OrNull(WrittenPerDay(w)) +
         ",\"written_since_ms\":" + std::to_string(w.since_ms) +
         ",\"written_as_of_ms\":" + std::to_string(w.as_of_ms);
}

std::string DescribeWrites(const storage::StorageWrites& w, int64_t now_ms) {
  if (w.as_of_ms == 0) return "storage writes: no figure recorded by the daemon in this file yet";
  const double per_event = WrittenPerEvent(w), per_day = WrittenPerDay(w);
  return "storage writes since the daemon started (" +
         HumanDuration((w.as_of_ms - w.since_ms) / 1000) + " before the figure): " +
         HumanBytes(static_cast<double>(w.bytes)) + " for " + std::to_string(w.events) +
         " events queued, " + (per_event < 0 ? "-" : Fixed(per_event, "%.1f")) + " B/event, " +
         (per_day < 0 ? "-" : HumanBytes(per_day)) + "/day (as of the daemon's last write, " +
         HumanDuration((now_ms - w.as_of_ms) / 1000) + " ago)";
}

}  // namespace ef::daemon
