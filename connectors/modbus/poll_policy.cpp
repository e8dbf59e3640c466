#include "connectors/modbus/poll_policy.h"

#include <chrono>
#include <cmath>

namespace ef::connectors::modbus {
namespace {

std::optional<double> AsNumber(const Value& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  return std::nullopt;
}

std::chrono::milliseconds Millis(Clock::Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}

}  // namespace

void PollSchedule::Done(Clock::TimePoint now) {
  next_ += interval_;
  if (next_ >= now) return;
  // Slots that passed during the poll are skipped, not run late in a burst.
  const auto missed = (now - next_ + interval_ - Clock::Duration(1)) / interval_;
  overruns_ += static_cast<uint64_t>(missed);
  next_ += missed * interval_;
}

bool ReportFilter::Changed(const Value& value) const {
  const auto now_value = AsNumber(value);
  const auto last_value = AsNumber(*last_);
  if (!now_value || !last_value) return value != *last_;
  // NaN never equals itself: report it once, then only when the value changes kind.
  if (std::isnan(*now_value) || std::isnan(*last_value)) {
    return std::isnan(*now_value) != std::isnan(*last_value);
  }
  const double delta = std::fabs(*now_value - *last_value);
  if (delta == 0) return false;
  if (policy_.deadband > 0 && delta <= policy_.deadband) return false;
  if (policy_.deadband_percent > 0 &&
      delta <= std::fabs(*last_value) * policy_.deadband_percent / 100.0) {
    return false;
  }
  return true;
}

bool ReportFilter::Offer(const Value& value, Clock::TimePoint now) {
  bool report = !last_.has_value() || policy_.mode == ReportMode::kEveryPoll || Changed(value);
  if (!report && policy_.max_silence_ms > 0) {
    report = now - last_time_ >= std::chrono::milliseconds(policy_.max_silence_ms);
  }
  if (report) {
    last_ = value;
    last_time_ = now;
  }
  return report;
}

DeviceHealth::DeviceHealth(HealthPolicy policy, uint64_t seed)
    : policy_(policy),
      backoff_(BackoffPolicy{Millis(policy.backoff_min), Millis(policy.backoff_min),
                             Millis(policy.backoff_max)},
               seed) {}

DeviceHealth::Change DeviceHealth::OnSuccess() {
  const bool was_down = state_ != State::kUp;
  state_ = State::kUp;
  failures_ = 0;
  backoff_.Reset();
  retry_at_ = {};
  return was_down ? Change::kCameBack : Change::kNone;
}

DeviceHealth::Change DeviceHealth::OnFailure(Clock::TimePoint now) {
  ++failures_;
  const State before = state_;
  if (failures_ >= policy_.breaker_failures) {
    state_ = State::kOpen;
    retry_at_ = now + policy_.breaker_open;  // then one probe; a failed probe re-opens
  } else {
    state_ = State::kBackoff;
    retry_at_ = now + backoff_.NextDelay();
  }
  if (before == State::kUp) return Change::kWentDown;
  if (state_ == State::kOpen && before != State::kOpen) return Change::kBreakerOpened;
  return Change::kNone;
}

}  // namespace ef::connectors::modbus
