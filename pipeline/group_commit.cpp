#include "pipeline/group_commit.h"

#include <thread>

#include "core/backoff.h"

namespace ef::pipeline {
namespace {
constexpr char kComponent[] = "queue";
}

GroupCommit::GroupCommit(Store& store, const Clock& clock, Logger& log, MetricsRegistry& metrics,
                         std::chrono::milliseconds shutdown_retry)
    : store_(store), clock_(clock), log_(log), shutdown_retry_(shutdown_retry),
      failures_(metrics.GetCounter("edgeferry_commit_failures_total",
                                   "Group commits the queue refused (retried).")),
      abandoned_(metrics.GetCounter("edgeferry_events_abandoned_total",
                                    "Received events given up uncommitted at shutdown.")) {}

bool GroupCommit::Commit(std::vector<Event>& events, const std::vector<StateEntry>& state,
                         std::span<const DeadLetterEntry> dead, int64_t now_ms,
                         const std::function<void()>& between_tries) {
  Backoff backoff(BackoffPolicy{std::chrono::milliseconds(10), std::chrono::milliseconds(50),
                                std::chrono::milliseconds(2000)});
  LogThrottle throttle(std::chrono::seconds(10));
  Clock::TimePoint give_up{};
  for (;;) {
    Status s = dead.empty() ? store_.Append(events, state)
                            : store_.AppendWithDeadLetters(events, state, dead, now_ms);
    if (s.ok()) {
      if (backoff.failures() > 0) log_.Info(kComponent, "commits succeed again");
      return true;
    }
    failures_.Add();
    ReportFailure(s, events.size(), throttle);
    if (abandoning_.load()) {
      if (give_up == Clock::TimePoint{}) give_up = clock_.Now() + shutdown_retry_;
      if (clock_.Now() >= give_up) {
        abandoned_.Add(events.size());
        log_.Error(kComponent, "shutting down with " + std::to_string(events.size()) +
                                   " received events NOT committed: " + s.ToString());
        return false;
      }
    }
    if (between_tries) between_tries();
    std::this_thread::sleep_for(backoff.NextDelay());  // retry pacing, not a wait for a condition
  }
}

void GroupCommit::ReportFailure(const Status& s, size_t events, LogThrottle& throttle) {
  uint64_t suppressed = 0;
  if (!throttle.Allow(clock_.Now(), &suppressed)) return;
  // Backpressure is a policy at work (warning); anything else is a failing disk (error).
  log_.Log(s.code() == Status::Code::kUnavailable ? LogLevel::kWarning : LogLevel::kError,
           kComponent,
           "cannot commit " + std::to_string(events) +
               " events, keeping them and retrying (ingest pauses meanwhile): " + s.ToString() +
               (suppressed ? " (" + std::to_string(suppressed) + " more tries)" : ""));
}

}  // namespace ef::pipeline
