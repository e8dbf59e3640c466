// DrainMeter: how fast the uplink drains each stream (events the cloud acknowledged per
// second) between two backlog reports, and which of those rates are worth recording in the
// Store for `edgeferry queue stats`. Pure bookkeeping, no I/O: the caller passes the elapsed
// time. Not thread-safe: the forwarder thread owns it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/store.h"

namespace ef::uplink {

class DrainMeter {
 public:
  // The cloud acknowledged `events` events of `stream`.
  void Acked(const std::string& stream, uint64_t events);

  // Ends the interval that began at the previous call, `elapsed` ago, and returns the rates
  // worth recording: of the streams with a backlog (0 when stalled: "not draining"), with
  // acks, or recorded above 0 the last time (a finished drain is recorded as 0 once). Empty
  // on an idle gateway, so that nothing is written. `elapsed` zero (the first call) only
  // starts the interval and returns nothing.
  std::vector<StreamRate> Measure(const std::vector<StreamBacklog>& backlog,
                                  Clock::Duration elapsed);

 private:
  struct Stream {
    uint64_t acked = 0;     // in the current interval
    bool draining = false;  // recorded above 0 at the last Measure
  };
  std::map<std::string, Stream> streams_;
};

// The sum of `rates`: the whole uplink's drain rate.
double TotalRate(const std::vector<StreamRate>& rates);

}  // namespace ef::uplink
