#include "daemon/process_metrics.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace ef::daemon {
namespace {

size_t CountOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  size_t n = 0;
  while (const dirent* entry = readdir(dir)) n += entry->d_name[0] != '.' ? 1 : 0;
  closedir(dir);
  return n > 0 ? n - 1 : 0;  // not the descriptor opendir itself holds
}

}  // namespace

std::optional<ProcessStat> ParseProcStat(std::string_view text, long ticks_per_s,
                                         long page_bytes) {
  // The command name (field 2) is in parentheses and may hold spaces and ')': the fields
  // after it start after the LAST ')'.
  const size_t close = text.rfind(')');
  if (close == std::string_view::npos || ticks_per_s <= 0) return std::nullopt;
  std::istringstream fields{std::string(text.substr(close + 1))};
  std::string field;
  ProcessStat stat;
  uint64_t utime = 0, stime = 0;
  // Field 3 is the state; utime and stime are 14 and 15, vsize 23, rss 24 (proc(5)).
  for (int index = 3; index <= 24 && fields >> field; ++index) {
    const auto number = [&] { return std::stoull(field); };
    try {
      if (index == 14) utime = number();
      if (index == 15) stime = number();
      if (index == 23) stat.virtual_bytes = number();
      if (index == 24) stat.resident_bytes = number() * static_cast<uint64_t>(page_bytes);
    } catch (...) {  // std::stoull on a malformed field
      return std::nullopt;
    }
    if (index == 24) {
      stat.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(ticks_per_s);
      return stat;
    }
  }
  return std::nullopt;
}

ProcessMetrics::ProcessMetrics(const Clock& clock, MetricsRegistry& metrics)
    : metrics_(metrics),
      cpu_(metrics.GetFractionalCounter("process_cpu_seconds_total",
                                        "Total user and system CPU time spent in seconds.")),
      resident_(metrics.GetGauge("process_resident_memory_bytes",
                                 "Resident memory size in bytes.")),
      virtual_(metrics.GetGauge("process_virtual_memory_bytes", "Virtual memory size in bytes.")),
      open_fds_(metrics.GetGauge("process_open_fds", "Number of open file descriptors.")),
      collector_(metrics.AddCollector([this] { Refresh(); })) {
  metrics.GetGauge("process_start_time_seconds",
                   "Start time of the process since unix epoch in seconds.")
      .Set(static_cast<double>(clock.WallMillis()) / 1000.0);
  metrics.GetGauge("edgeferry_build_info", "Always 1; the version in a label.",
                   {{"version", EF_VERSION}})
      .Set(1);
}

ProcessMetrics::~ProcessMetrics() { metrics_.RemoveCollector(collector_); }

void ProcessMetrics::Refresh() {
  std::ifstream file("/proc/self/stat");
  std::stringstream text;
  text << file.rdbuf();
  const std::optional<ProcessStat> stat =
      ParseProcStat(text.str(), sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE));
  if (stat) {
    cpu_.Set(stat->cpu_seconds);
    resident_.Set(static_cast<double>(stat->resident_bytes));
    virtual_.Set(static_cast<double>(stat->virtual_bytes));
  }
  open_fds_.Set(static_cast<double>(CountOpenFds()));
}

}  // namespace ef::daemon
