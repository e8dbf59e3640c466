// What ef-mqtt-count learns from the messages it receives: distinct messages, duplicates by
// (device, seq) for edgeferry envelopes, the span from first to last arrival, and end-to-end
// latency from the payload's "t_us" (send time, microseconds since the epoch) to arrival.
//
// Thread-safety: none; the owner serialises calls (ef-mqtt-count holds a mutex).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tests/support/envelope.h"
#include "tests/support/wait.h"

namespace ef::bench {

class ArrivalStats {
 public:
  // Records one message received at `arrival_us` (wall clock) and `arrival` (steady clock).
  // Returns a one-line human description of it for --print (a line per event of a batch:
  // the events of a batch message are counted one by one).
  std::string Record(std::string_view topic, std::string_view message, int64_t arrival_us,
                     testkit::SteadyClock::time_point arrival);

  size_t count() const { return count_; }  // distinct messages
  // {"count":..,"received":..,"duplicates":..,"seconds":..,"rate":..,"p50_ms":..,"p99_ms":..}
  std::string Json(bool complete);

 private:
  double PercentileMs(double fraction);
  std::string RecordEnvelope(std::string_view topic, std::string_view message,
                             std::optional<testkit::Envelope> env, int64_t arrival_us,
                             testkit::SteadyClock::time_point arrival);

  testkit::EnvelopeParser parser_;
  size_t count_ = 0;
  size_t received_ = 0;
  size_t duplicates_ = 0;
  std::unordered_map<std::string, std::unordered_set<int64_t>> seqs_by_device_;
  std::vector<int64_t> latencies_us_;
  std::optional<testkit::SteadyClock::time_point> first_, last_;
};

}  // namespace ef::bench
