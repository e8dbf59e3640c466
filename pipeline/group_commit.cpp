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
  // Events only (no stage state, no dead letters): a group the store refuses with an I/O
  // error (a full disk) is committed in halves, each a group of its own, in order. On a
  // small disk the WAL may have no room for a whole group (up to commit_max_events) however
  // many old events drop_oldest removes, and a retry of the same group would fail for ever.
  // Smaller groups are what a smaller commit_max_events would have made; [0, done) is
  // committed. A group with state stays whole: the state goes with all of its events.
  const bool splittable = state.empty() && dead.empty();
  size_t done = 0, part = events.size();
  for (;;) {
    const std::span<Event> rest =
        std::span(events).subspan(done, std::min(part, events.size() - done));
    Status s = dead.empty() ? store_.Append(rest, state)
                            : store_.AppendWithDeadLetters(rest, state, dead, now_ms);
    if (s.ok()) {
      done += rest.size();
      if (done < events.size()) continue;
      if (backoff.failures() > 0) log_.Info(kComponent, "commits succeed again");
      return true;
    }
    failures_.Add();
    ReportFailure(s, events.size() - done, throttle);
    if (splittable && s.code() == Status::Code::kIoError && rest.size() > 1) {
      part = (rest.size() + 1) / 2;
    }
    if (abandoning_.load()) {
      if (give_up == Clock::TimePoint{}) give_up = clock_.Now() + shutdown_retry_;
      if (clock_.Now() >= give_up) {
        abandoned_.Add(events.size() - done);
        log_.Error(kComponent, "shutting down with " + std::to_string(events.size() - done) +
                                   " received events NOT committed: " + s.ToString());
        events.resize(done);  // what was committed, for the caller to count
        return done > 0;
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
