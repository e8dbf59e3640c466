// GroupCommit: commits one group (events and stage state) to the Store, keeping it and
// retrying with backoff while the store refuses it (disk full, I/O error, a backpressure
// bound), so that ingest backs up into the bounded hand-off queue (and from there into the
// broker) instead of losing events. Once Abandon() was called (shutdown), it retries for at
// most `shutdown_retry` more and then gives the group up, logging how many events were not
// committed.
//
// Thread-safety: Commit() from the pipeline thread; Abandon() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <span>
#include <vector>

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/store.h"

namespace ef::pipeline {

class GroupCommit {
 public:
  GroupCommit(Store& store, const Clock& clock, Logger& log, MetricsRegistry& metrics,
              std::chrono::milliseconds shutdown_retry);

  // True once the group is committed; false if it was given up at shutdown. A group of
  // events only that the store refuses with an I/O error (a full disk) is committed in
  // halves, each its own group, in order; if shutdown then gives up the rest, `events` keeps
  // only the committed ones and the result is true when there are any. `between_tries`
  // (may be empty) runs before each wait for the next try, so that work which can free room
  // (the TTL sweep) goes on while a group waits.
  bool Commit(std::vector<Event>& events, const std::vector<StateEntry>& state,
              const std::function<void()>& between_tries = {}) {
    return Commit(events, state, {}, 0, between_tries);
  }
  // The same, with the stages' dead letters (dead_time `now_ms`) in the same transaction.
  bool Commit(std::vector<Event>& events, const std::vector<StateEntry>& state,
              std::span<const DeadLetterEntry> dead, int64_t now_ms,
              const std::function<void()>& between_tries = {});
  // Shutdown: stop retrying a failing group after shutdown_retry.
  void Abandon() { abandoning_.store(true); }

 private:
  void ReportFailure(const Status& s, size_t events, LogThrottle& throttle);

  Store& store_;
  const Clock& clock_;
  Logger& log_;
  const std::chrono::milliseconds shutdown_retry_;
  Counter& failures_;
  Counter& abandoned_;
  std::atomic<bool> abandoning_{false};
};

}  // namespace ef::pipeline
