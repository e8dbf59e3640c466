// Forwarder: the uplink thread. Reads committed events from the Store stream by stream, in
// sequence order, publishes each through a Publisher with at most `max_inflight` awaiting
// acknowledgement, and acks (deletes) an event in the Store only after the Publisher
// reported kOk.
//
// Scheduling: while several streams have a backlog, the one with the highest priority goes
// first, except that a stream that got less than its `min_share` of recent publishes is
// served before it, so low priorities never starve. Order is kept within a stream: when a
// publish fails with kRetry (connection lost before the PUBACK), that stream pauses until
// its in-flight publishes settled and then resends from its oldest unacknowledged event.
// The cloud may see duplicates after a failure; they carry the same `seq`. kDrop (the cloud
// can never take it) moves the event to the dead-letter table. Events older than their
// stream's TTL are not sent; the store expires and counts them (checked every second).
//
// Thread-safety: Start/Stop from the owner; Wake() and counters() from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
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

struct StreamSchedule {
  std::string name;
  int64_t priority = 0;    // Default: 0; higher goes first
  double min_share = 0.1;  // Default: 0.1 of publishes while it has a backlog
  int64_t ttl_ms = 0;      // Default: 0 = never expires
};

struct ForwarderOptions {
  std::string gateway_id;
  std::string topic_template = "edgeferry/{gateway}/{stream}/{device}";
  int qos = 1;                                     // Default: 1
  size_t max_inflight = 100;                       // Default: 100
  size_t read_batch = 500;                         // Default: 500 events per store read
  std::chrono::milliseconds drain_timeout{5000};   // Default: 5 s
  std::chrono::milliseconds expire_every{1000};    // Default: 1 s between TTL sweeps
  std::vector<StreamSchedule> streams;             // configured streams
  StreamSchedule defaults;                         // streams nobody configured
};

struct ForwarderCounters {
  uint64_t acked = 0;          // events the cloud acknowledged (and removed from the store)
  uint64_t resent = 0;         // publishes repeated after a failure
  uint64_t dead_lettered = 0;  // events the cloud refused permanently
  uint64_t expired = 0;        // events the TTL sweeps removed
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
    std::string stream;
    uint64_t seq;
    PublishResult result;
  };
  // One stream's position: owned by the forwarder thread.
  struct Lane {
    StreamSchedule schedule;
    uint64_t cursor = 0;       // highest seq read from the store
    std::deque<Event> backlog;  // read, not yet published
    std::set<uint64_t> inflight;
    uint64_t resend_from = 0;  // oldest seq to resend; 0 = none
    uint64_t highest_sent = 0;
    bool exhausted = false;    // the store had nothing more at the last read
    double served = 0;         // recent publishes, decaying
  };

  void Run();
  void Complete(std::string stream, uint64_t seq, PublishResult result);
  void Settle();
  void DiscoverStreams();
  void FillWindow();
  Lane* PickLane();
  bool Refill(Lane& lane);
  void PublishOne(Lane& lane, Event event);
  void ExpireIfDue();
  size_t InflightTotal() const;
  const StreamSchedule& ScheduleFor(const std::string& stream) const;

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
  std::atomic<uint64_t> acked_{0}, resent_{0}, dead_lettered_{0}, expired_{0};
  std::thread thread_;

  // Owned by the forwarder thread.
  std::map<std::string, Lane> lanes_;
  Clock::TimePoint next_expiry_{};
  LogThrottle problem_log_{std::chrono::seconds(10)};
};

}  // namespace ef::uplink
