#include "storage/committer.h"

#include "core/backoff.h"

namespace ef::storage {
namespace {
constexpr char kComponent[] = "queue";
}

Committer::Committer(BoundedQueue<Event>& queue, Store& store, const Clock& clock, Logger& log,
                     CommitterOptions options, std::function<void()> on_commit)
    : queue_(queue), store_(store), clock_(clock), log_(log), options_(options),
      on_commit_(std::move(on_commit)) {}

Committer::~Committer() {
  if (thread_.joinable()) {
    queue_.Close();
    Stop();
  }
}

void Committer::Start() { thread_ = std::thread([this] { Run(); }); }

void Committer::Stop() {
  draining_.store(true);
  if (thread_.joinable()) thread_.join();
}

void Committer::Run() {
  std::vector<Event> batch;
  batch.reserve(options_.max_events);
  // PopBatch returns false only once the queue is closed and empty: then all is committed.
  while (queue_.PopBatch(&batch, options_.max_events, std::chrono::milliseconds(200),
                         options_.interval)) {
    if (batch.empty()) continue;
    if (CommitWithRetry(batch)) {
      committed_.fetch_add(batch.size(), std::memory_order_relaxed);
      if (on_commit_) on_commit_();
    }
    batch.clear();
  }
}

bool Committer::CommitWithRetry(std::vector<Event>& batch) {
  Backoff backoff(BackoffPolicy{std::chrono::milliseconds(10), std::chrono::milliseconds(50),
                                std::chrono::milliseconds(2000)});
  LogThrottle throttle(std::chrono::seconds(10));
  Clock::TimePoint give_up{};
  for (;;) {
    Status s = store_.Append(batch);
    if (s.ok()) {
      if (backoff.failures() > 0) log_.Info(kComponent, "commits succeed again");
      return true;
    }
    failed_commits_.fetch_add(1, std::memory_order_relaxed);
    uint64_t suppressed = 0;
    if (throttle.Allow(clock_.Now(), &suppressed)) {
      // Backpressure is a policy at work (warning); anything else is a failing disk (error).
      log_.Log(s.code() == Status::Code::kUnavailable ? LogLevel::kWarning : LogLevel::kError,
               kComponent,
               "cannot commit " + std::to_string(batch.size()) +
                   " events, keeping them and retrying (ingest pauses meanwhile): " +
                   s.ToString() +
                   (suppressed ? " (" + std::to_string(suppressed) + " more tries)" : ""));
    }
    if (draining_.load()) {
      if (give_up == Clock::TimePoint{}) give_up = clock_.Now() + options_.shutdown_retry;
      if (clock_.Now() >= give_up) {
        abandoned_.fetch_add(batch.size(), std::memory_order_relaxed);
        log_.Error(kComponent, "shutting down with " + std::to_string(batch.size()) +
                                   " received events NOT committed: " + s.ToString());
        return false;
      }
    }
    std::this_thread::sleep_for(backoff.NextDelay());  // retry pacing, not a wait for a condition
  }
}

}  // namespace ef::storage
