// TokenBucket: a rate limit that the uplink never exceeds (publishes/s, bytes/s).
//
// Guarantee: in ANY window of one second, at most `rate` tokens are taken. The bucket holds
// a burst (a tenth of the rate, or the largest single request if that is more, up to half
// the rate) and refills at the rate minus the burst, so burst + one second of refill never
// exceed the rate. Only a request larger than that burst could break it: it is allowed when
// the bucket is full and paid back before anything else goes. A rate of 0 means unlimited. The caller passes the time in, so
// tests run on a manual clock. Not thread-safe: the forwarder thread owns it.
#pragma once

#include <algorithm>
#include <chrono>

#include "core/clock.h"

namespace ef::uplink {

class TokenBucket {
 public:
  explicit TokenBucket(double rate_per_s, double largest_request = 0)
      : capacity_(std::min(std::max(rate_per_s / 10, largest_request), rate_per_s / 2)),
        refill_per_s_(rate_per_s - capacity_), tokens_(capacity_) {}

  // Zero when `amount` tokens are there now, else how long until they are. Takes nothing.
  Clock::Duration WaitFor(double amount, Clock::TimePoint now) {
    if (refill_per_s_ <= 0) return Clock::Duration::zero();
    Refill(now);
    const double need = std::min(amount, capacity_);
    if (tokens_ >= need) return Clock::Duration::zero();
    const double seconds = (need - tokens_) / refill_per_s_;
    return std::max(Clock::Duration(1), std::chrono::duration_cast<Clock::Duration>(
                                            std::chrono::duration<double>(seconds)));
  }
  // Takes `amount` tokens. REQUIRES: WaitFor(amount, now) returned zero just before.
  void Take(double amount) {
    if (refill_per_s_ > 0) tokens_ -= amount;
  }

 private:
  void Refill(Clock::TimePoint now) {
    if (started_) {
      const double elapsed = std::chrono::duration<double>(now - last_).count();
      tokens_ = std::min(capacity_, tokens_ + elapsed * refill_per_s_);
    }
    started_ = true;
    last_ = now;
  }

  double capacity_;
  double refill_per_s_;
  double tokens_;
  Clock::TimePoint last_{};
  bool started_ = false;
};

}  // namespace ef::uplink
