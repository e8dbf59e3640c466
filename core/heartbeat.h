// Heartbeat: when a worker thread (the pipeline, the uplink) last showed that it is not stuck,
// for the daemon's health check.
//
// The thread calls Beat() whenever it made progress (committed a group, got an acknowledgement)
// or found nothing to do. A thread blocked in I/O, or with work that does not move, stops
// beating, so Age() grows: "not moving" is an age above a threshold, decided by the reader.
// The owner of the Heartbeat outlives the threads that beat it (the daemon keeps one per
// component across reloads), so a rebuilt component continues the same heartbeat.
//
// Thread-safety: Beat() and Age() from any thread (one relaxed atomic).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

#include "core/clock.h"

namespace ef {

class Heartbeat {
 public:
  void Beat(Clock::TimePoint now) {
    last_ns_.store(now.time_since_epoch().count(), std::memory_order_relaxed);
  }
  // How long ago the last Beat() was (zero if it is in the future of `now`); nullopt before
  // the first one.
  std::optional<Clock::Duration> Age(Clock::TimePoint now) const {
    const int64_t last = last_ns_.load(std::memory_order_relaxed);
    if (last == kNever) return std::nullopt;
    const Clock::Duration age = now.time_since_epoch() - Clock::Duration(last);
    return age < Clock::Duration::zero() ? Clock::Duration::zero() : age;
  }

 private:
  static constexpr int64_t kNever = INT64_MIN;
  std::atomic<int64_t> last_ns_{kNever};
};

}  // namespace ef
