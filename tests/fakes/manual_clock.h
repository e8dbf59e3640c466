// ManualClock: a Clock that only moves when a test calls Advance(). Thread-safe.
#pragma once

#include <atomic>

#include "core/clock.h"

namespace ef::testing {

class ManualClock final : public Clock {
 public:
  TimePoint Now() const override { return TimePoint(Duration(now_.load())); }
  WallTime WallNow() const override {
    return WallTime(Duration(wall_offset_ + now_.load()));
  }
  void Advance(Duration d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<Duration::rep> now_{1'000'000'000};
  Duration::rep wall_offset_ = 1'764'000'000'000'000'000;  // late 2025, in ns
};

}  // namespace ef::testing
