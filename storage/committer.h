// Committer: the pipeline thread that moves received events from the in-memory hand-off queue
// into the Store, in groups of at most `max_events` or `interval` after the first arrival.
//
// A group that fails to commit (disk full, I/O error) is kept and retried with backoff, so
// ingest backs up into the bounded queue (and from there into the broker) instead of losing
// events. Stop() must be called after the queue was closed: it commits everything still
// queued, then joins. If the store keeps failing at shutdown it gives up after
// `shutdown_retry` and logs how many events were not committed.
//
// Thread-safety: Start/Stop from the owner thread; counters may be read from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "core/bounded_queue.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/store.h"

namespace ef::storage {

struct CommitterOptions {
  size_t max_events = 1000;                       // Default: 1000
  std::chrono::milliseconds interval{10};         // Default: 10 ms
  std::chrono::milliseconds shutdown_retry{5000};  // Default: 5 s
};

class Committer {
 public:
  // `on_commit` runs on the committer thread after each successful group (e.g. to wake the
  // uplink); it must not block.
  Committer(BoundedQueue<Event>& queue, Store& store, const Clock& clock, Logger& log,
            CommitterOptions options, std::function<void()> on_commit);
  ~Committer();
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  void Start();
  // REQUIRES: the queue is closed. Returns once everything queued is committed (or given up).
  void Stop();

  uint64_t committed() const { return committed_.load(std::memory_order_relaxed); }
  uint64_t failed_commits() const { return failed_commits_.load(std::memory_order_relaxed); }
  uint64_t abandoned() const { return abandoned_.load(std::memory_order_relaxed); }

 private:
  void Run();
  // Commits `batch`, retrying failures; false if it gave up at shutdown.
  bool CommitWithRetry(std::vector<Event>& batch);

  BoundedQueue<Event>& queue_;
  Store& store_;
  const Clock& clock_;
  Logger& log_;
  const CommitterOptions options_;
  std::function<void()> on_commit_;
  std::atomic<bool> draining_{false};
  std::atomic<uint64_t> committed_{0};
  std::atomic<uint64_t> failed_commits_{0};
  std::atomic<uint64_t> abandoned_{0};
  std::thread thread_;
};

}  // namespace ef::storage
