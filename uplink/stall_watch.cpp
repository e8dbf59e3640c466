#include "uplink/stall_watch.h"

namespace ef::uplink {
namespace {
constexpr char kComponent[] = "uplink";

// What a stalled lane waits for, for the warning.
std::string Describe(const Lane& lane) {
  return std::to_string(lane.inflight.size()) + " batch(es) in flight, " +
         std::to_string(lane.backlog.size() + (lane.ready ? lane.ready->seqs.size() : 0)) +
         " event(s) read and unsent" + (lane.resend_from != 0 ? ", waiting to resend" : "");
}
}  // namespace

StallWatch::StallWatch(Clock::Duration threshold, Logger& log, MetricsRegistry& metrics)
    : threshold_(threshold), log_(log),
      stalls_(metrics, "edgeferry_uplink_stalls_total",
              "Times a stream had events and a connected uplink but sent nothing for longer "
              "than its linger plus a margin.",
              "stream"),
      stalled_lanes_(metrics.GetGauge("edgeferry_uplink_stalled_lanes",
                                      "Uplink lanes (streams or their catch-up parts) stalled "
                                      "now.")) {}

// Events read and not yet sent, or sent and not yet settled. (A lane not yet read is not
// counted: every lane is discovered again at each commit, most with nothing to read.)
bool StallWatch::Pending(const Lane& lane) {
  return !lane.backlog.empty() || lane.ready || !lane.inflight.empty() || lane.resend_from != 0;
}

void StallWatch::Look(Lanes& lanes, bool connected, Clock::TimePoint now) {
  for (auto& [name, w] : watched_) w.seen = false;
  for (auto& [name, lane] : lanes) {
    auto [it, added] = watched_.try_emplace(name);
    Watched& w = it->second;
    w.seen = true;
    if (added || !connected || !Pending(lane) || w.progress != lane.progress) {
      w.progress = lane.progress;
      w.since = now;
      if (w.stalled) {
        w.stalled = false;
        log_.Info(kComponent, "stream '" + lane.stream + "' (lane '" + name +
                                  "') is moving again");
      }
      continue;
    }
    Check(name, lane, w, now);
  }
  std::erase_if(watched_, [](const auto& entry) { return !entry.second.seen; });
  double stalled = 0;
  for (const auto& [name, w] : watched_) stalled += w.stalled ? 1 : 0;
  stalled_lanes_.Set(stalled);
}

void StallWatch::Check(const std::string& name, const Lane& lane, Watched& w,
                       Clock::TimePoint now) {
  if (w.stalled || now - w.since <= threshold_) return;
  w.stalled = true;
  stalls_.For(lane.stream).Add();
  uint64_t suppressed = 0;
  if (!log_throttle_.Allow(now, &suppressed)) return;
  log_.Warning(kComponent, "stream '" + lane.stream + "' (lane '" + name +
                               "') has events and the cloud is connected, but nothing was sent "
                               "or acknowledged for " + SecondsText(now - w.since, 1) + " s: " +
                               Describe(lane) +
                               (suppressed > 0 ? " (" + std::to_string(suppressed) +
                                                     " similar warnings held back)"
                                               : ""));
}

}  // namespace ef::uplink
