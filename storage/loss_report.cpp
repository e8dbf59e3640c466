#include "storage/loss_report.h"

namespace ef::storage {

void LossReport::Update(const StoreStats& stats, Logger& log) {
  for (const StreamStats& s : stats.streams) {
    StreamCounters& was = last_[s.stream];
    const StreamCounters& now = s.counters;
    if (started_) {
      std::string what;
      auto add = [&](uint64_t before, uint64_t after, const char* name) {
        if (after <= before) return;
        what += (what.empty() ? "" : ", ") + std::to_string(after - before) + " " + name;
      };
      add(was.dropped, now.dropped, "dropped (bound reached, drop_oldest)");
      add(was.rejected, now.rejected, "rejected (bound reached)");
      add(was.expired, now.expired, "expired (older than ttl)");
      add(was.dead_lettered, now.dead_lettered, "dead-lettered");
      if (!what.empty()) {
        log.Warning("queue", "stream '" + s.stream + "': " + what + "; totals in " +
                                 "'edgeferry queue stats'");
      }
    }
    was = now;
  }
  started_ = true;
}

}  // namespace ef::storage
