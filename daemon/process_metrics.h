// ProcessMetrics: the process's own resource use, read from /proc/self at every snapshot,
// under the names every Prometheus client library uses (so existing dashboards and alerts
// work unchanged):
//   process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
//   process_open_fds, process_start_time_seconds
// plus edgeferry_build_info{version} (always 1).
//
// Thread-safety: the collector runs on whichever thread takes a snapshot; the owner
// constructs and destroys it (the destructor removes the collector).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/clock.h"
#include "core/metrics.h"

namespace ef::daemon {

// What /proc/self/stat says, in base units.
struct ProcessStat {
  double cpu_seconds = 0;  // user + system
  uint64_t virtual_bytes = 0;
  uint64_t resident_bytes = 0;
};

// Parses the contents of /proc/<pid>/stat; nullopt when it is not in that format.
std::optional<ProcessStat> ParseProcStat(std::string_view text, long ticks_per_s,
                                         long page_bytes);

class ProcessMetrics {
 public:
  ProcessMetrics(const Clock& clock, MetricsRegistry& metrics);
  ~ProcessMetrics();
  ProcessMetrics(const ProcessMetrics&) = delete;
  ProcessMetrics& operator=(const ProcessMetrics&) = delete;

  void Refresh();

 private:
  MetricsRegistry& metrics_;
  Gauge& cpu_;
  Gauge& resident_;
  Gauge& virtual_;
  Gauge& open_fds_;
  MetricsRegistry::CollectorId collector_;
};

}  // namespace ef::daemon
