// The timing and reporting decisions of a Modbus poller, as pure state machines that take the
// time as an argument (from core/clock.h), so tests drive them with a manual clock:
// - PollSchedule: when a poll group is due; a poll that cannot keep its interval counts an
//   overrun and the schedule skips ahead instead of queuing up a burst.
// - ReportFilter: whether a point's new value is reported (every poll, or on change beyond an
//   absolute or percent deadband, with an optional maximum silence).
// - DeviceHealth: per slave, capped exponential backoff with jitter after a failed poll and a
//   circuit breaker that skips a slave failing again and again, probing it later.
//
// Not thread-safe: each belongs to one poller thread.
#pragma once

#include <cstdint>
#include <optional>

#include "connectors/modbus/modbus_config.h"
#include "core/backoff.h"
#include "core/clock.h"
#include "core/event.h"

namespace ef::connectors::modbus {

class PollSchedule {
 public:
  // The first poll is due at `start`.
  PollSchedule(Clock::Duration interval, Clock::TimePoint start)
      : interval_(interval), next_(start) {}

  bool Due(Clock::TimePoint now) const { return now >= next_; }
  Clock::TimePoint next() const { return next_; }
  // Called after the poll that was due finished at `now`: the next one is one interval after
  // the last due time; if that has already passed, the poll overran: the missed slots are
  // skipped (counted in overruns()) and the next poll is the first slot at or after `now`.
  void Done(Clock::TimePoint now);
  uint64_t overruns() const { return overruns_; }

 private:
  Clock::Duration interval_;
  Clock::TimePoint next_;
  uint64_t overruns_ = 0;
};

class ReportFilter {
 public:
  explicit ReportFilter(ReportPolicy policy) : policy_(policy) {}
  // True when `value` read at `now` is to be reported; it then becomes the last reported one.
  bool Offer(const Value& value, Clock::TimePoint now);
  // Forget the last value (after a failed read the next good value is always reported).
  void Reset() { last_.reset(); }

 private:
  bool Changed(const Value& value) const;
  ReportPolicy policy_;
  std::optional<Value> last_;
  Clock::TimePoint last_time_{};
};

struct HealthPolicy {
  Clock::Duration backoff_min = std::chrono::seconds(1);
  Clock::Duration backoff_max = std::chrono::seconds(30);
  uint32_t breaker_failures = 5;  // consecutive failed polls that open the breaker
  Clock::Duration breaker_open = std::chrono::seconds(60);
};

class DeviceHealth {
 public:
  enum class State : uint8_t { kUp, kBackoff, kOpen };
  // What a poll outcome changed, for the status events.
  enum class Change : uint8_t { kNone, kWentDown, kCameBack, kBreakerOpened };

  explicit DeviceHealth(HealthPolicy policy, uint64_t seed = 1);

  // False while a failed slave waits (backoff, or an open breaker before its probe time).
  bool ShouldPoll(Clock::TimePoint now) const { return now >= retry_at_; }
  Change OnSuccess();
  Change OnFailure(Clock::TimePoint now);
  State state() const { return state_; }
  uint32_t consecutive_failures() const { return failures_; }

 private:
  HealthPolicy policy_;
  Backoff backoff_;
  State state_ = State::kUp;
  uint32_t failures_ = 0;
  Clock::TimePoint retry_at_{};
};

}  // namespace ef::connectors::modbus
