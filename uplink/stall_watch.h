// StallWatch: nothing in the uplink may stall silently. A lane (a stream, or its catch-up part)
// that has events to send or in flight while the publisher is connected, but neither publishes
// nor gets an acknowledgement for longer than `threshold` (the batch linger plus a margin), is
// stalled: a warning names the stream and what it is waiting for (at most one line every 60 s
// over all lanes; the recovery is logged too), and it is counted in the registry:
// edgeferry_uplink_stalls_total{stream} (stalls begun) and edgeferry_uplink_stalled_lanes
// (lanes stalled now). A disconnected publisher is not a stall: the reconnector reports that.
//
// Not thread-safe: it belongs to the forwarder thread, which calls Look() on every pass (at
// least once a second).
#pragma once

#include <map>
#include <string>

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "uplink/lanes.h"

namespace ef::uplink {

class StallWatch {
 public:
  StallWatch(Clock::Duration threshold, Logger& log, MetricsRegistry& metrics);

  // Looks at every lane once: a lane progresses when its Lane::progress changed since the
  // last look. Lanes gone (retired catch-up lanes) are forgotten.
  void Look(Lanes& lanes, bool connected, Clock::TimePoint now);

 private:
  struct Watched {
    uint64_t progress = 0;
    Clock::TimePoint since{};  // the last progress, or when the lane last had nothing to do
    bool stalled = false;
    bool seen = false;         // in the current Look
  };
  static bool Pending(const Lane& lane);
  void Check(const std::string& name, const Lane& lane, Watched& w, Clock::TimePoint now);

  const Clock::Duration threshold_;
  Logger& log_;
  CounterByLabel stalls_;
  Gauge& stalled_lanes_;
  std::map<std::string, Watched> watched_;
  LogThrottle log_throttle_{std::chrono::seconds(60)};
};

}  // namespace ef::uplink
