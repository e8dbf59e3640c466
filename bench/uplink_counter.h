// The cloud-side subscriber of ef-bench-uplink: counts distinct events, whether they come one
// per message (batch = "none") or many per message (json / ndjson batches).
//
// To stay cheap next to the daemon it does not parse every event: a batch header's first_seq,
// last_seq and count are read with a plain text scan, and when the seqs are contiguous
// (count == last - first + 1, as in the bench's backlog) the whole range is marked seen in a
// bitmap; otherwise the batch is parsed fully. Every 100th message is parsed fully anyway and
// counted as malformed if that fails, so a broken format does not go unnoticed.
//
// Thread-safety: Paho's callback thread records (under the mutex); any thread may wait and read.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/envelope.h"
#include "tests/support/paho_connection.h"
#include "tests/support/wait.h"

namespace ef::bench {

struct CounterSnapshot {
  uint64_t distinct = 0;   // distinct event seqs seen
  uint64_t events = 0;     // events received, duplicates included
  uint64_t messages = 0;   // MQTT messages (status messages excluded)
  uint64_t bytes = 0;      // their payload bytes
  uint64_t malformed = 0;  // messages that are not envelopes or batches
  std::optional<testkit::SteadyClock::time_point> first, last;  // arrivals of data messages
};

class UplinkCounter {
 public:
  // `max_seq`: the highest seq that can arrive (the bitmap's size).
  UplinkCounter(std::string uri, uint64_t max_seq, int qos);
  ~UplinkCounter();
  UplinkCounter(const UplinkCounter&) = delete;
  UplinkCounter& operator=(const UplinkCounter&) = delete;

  // Connects and subscribes to "edgeferry/#"; false with *error on failure.
  bool Start(testkit::Deadline deadline, std::string* error);
  // Forgets everything counted (for the next run on the same broker).
  void Reset();
  // Blocks until `distinct` events were seen (true) or the deadline passed (false).
  bool WaitForDistinct(uint64_t distinct, testkit::Deadline deadline);
  // Blocks until the first data message arrived.
  bool WaitForFirst(testkit::Deadline deadline);
  CounterSnapshot Snapshot() const;

 private:
  static int OnMessage(void* context, char* topic, int topic_len, MQTTAsync_message* message);
  static void OnSubscribed(void* context, MQTTAsync_successData* data);
  void Record(std::string_view payload);  // REQUIRES: mu_ held
  void Mark(uint64_t seq);                // REQUIRES: mu_ held

  const uint64_t max_seq_;
  const int qos_;
  testkit::PahoConnection conn_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool subscribed_ = false;
  std::vector<bool> seen_;
  CounterSnapshot counts_;
  testkit::EnvelopeParser parser_;
};

}  // namespace ef::bench
