// Forwarder: the uplink thread. Reads committed events from the Store in sequence order,
// publishes each through a Publisher with at most `max_inflight` awaiting acknowledgement,
// and acks (deletes) an event in the Store only after the Publisher reported kOk.
//
// When a publish fails with kRetry (connection lost before the PUBACK), the forwarder lets
// the in-flight publishes settle, then resends from the oldest unacknowledged event, so
// nothing is skipped; the cloud may see duplicates after a failure, which carry the same
// `seq`. kDrop (the broker can never take the message) is logged and counted; the event is
// then removed (the dead-letter table arrives with the store-and-forward work).
//
// Thread-safety: Start/Stop from the owner; Wake() and counters from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/log.h"
#include "core/publisher.h"
#include "core/store.h"
#include "uplink/envelope.h"

namespace ef::uplink {

struct ForwarderOptions {
  std::string gateway_id;
  std::string topic_template = "edgeferry/{gateway}/{stream}/{device}";
  int qos = 1;                                     // Default: 1
  size_t max_inflight = 100;                       // Default: 100
  size_t read_batch = 500;                         // Default: 500 events per store read
  std::chrono::milliseconds drain_timeout{5000};   // Default: 5 s
};

struct ForwarderCounters {
  uint64_t acked = 0;      // events the cloud acknowledged (and removed from the store)
  uint64_t resent = 0;     // publishes repeated after a failure
  uint64_t dropped = 0;    // events the cloud refused permanently
};

class Forwarder {
 public:
  Forwarder(Store& store, Publisher& publisher, const Clock& clock, Logger& log,
            ForwarderOptions options);
  ~Forwarder();
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  void Start();
  // New events were committed.
  void Wake();
  // Stops reading new events, waits up to drain_timeout for in-flight publishes, acks what
  // was acknowledged and joins. Unacknowledged events stay in the store for the next run.
  void Stop();
  ForwarderCounters counters() const;

 private:
  struct Completion {
    uint64_t seq;
    PublishResult result;
  };
  void Run();
  void Complete(uint64_t seq, PublishResult result);
  // Applies completions: acks in the store, counts, notes the oldest seq to resend.
  void Settle();
  void FillWindow();
  bool Refill();

  Store& store_;
  Publisher& publisher_;
  const Clock& clock_;
  Logger& log_;
  const ForwarderOptions options_;
  const TopicTemplate topic_;

  std::mutex mu_;  // guards the fields up to `thread_`
  std::condition_variable cv_;
  std::vector<Completion> completions_;
  bool woken_ = false;
  bool stopping_ = false;
  std::atomic<uint64_t> acked_{0}, resent_{0}, dropped_{0};
  std::thread thread_;

  // Owned by the forwarder thread.
  std::set<uint64_t> inflight_;
  std::deque<Event> backlog_;    // read from the store, not yet published
  uint64_t cursor_ = 0;          // highest seq read from the store
  uint64_t resend_from_ = 0;     // oldest seq that must be resent; 0 = none
  uint64_t highest_sent_ = 0;    // to count resends
  LogThrottle drop_log_{std::chrono::seconds(10)};
  LogThrottle store_log_{std::chrono::seconds(10)};
};

}  // namespace ef::uplink
