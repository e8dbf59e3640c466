// ShareScheduler: which stream the uplink serves next. Highest priority first, except that a
// stream that got less than its min_share of recent publishes (a decaying count over about
// the last 200) is served first, so a low priority never starves. Pure bookkeeping, no I/O.
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
  int64_t ttl_ms = 0;      // Default: 0 = never expires
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
