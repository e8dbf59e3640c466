// ShareScheduler: which lane the uplink serves next. Live lanes before catch-up lanes (the
// backlog a stream built up during an outage), and among those the highest priority first,
// except that a lane that got less than its min_share of recent publishes (a decaying count
// over about the last 200) is served first, so nothing starves. Pure bookkeeping, no I/O.
// Not thread-safe: the forwarder thread owns it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ef::uplink {

struct StreamSchedule {
  std::string name;
  int64_t priority = 0;    // Default: 0; higher goes first
  double min_share = 0.1;  // Default: 0.1 of publishes while it has a backlog
  bool live_first = true;  // Default: true = after an outage, new events before the backlog
  bool catch_up = false;   // this lane carries a stream's backlog: served after live lanes
};

class ShareScheduler {
 public:
  // The stream to serve among `candidates` (those with something to send), or nullptr.
  const StreamSchedule* Pick(const std::vector<const StreamSchedule*>& candidates) const;
  // `stream` was served once (one publish).
  void Served(const std::string& stream);

 private:
  std::map<std::string, double> served_;
};

}  // namespace ef::uplink
