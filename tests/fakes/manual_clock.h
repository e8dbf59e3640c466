// ManualClock: a Clock that only moves when a test says so. Advance() moves both clocks, as
// time passing does; StepWall() moves only the wall clock, as NTP stepping it (or a bad time
// source setting it back) does. Thread-safe.
#pragma once

#include <atomic>

#include "core/clock.h"
#include "core/clock_watch.h"

namespace ef::testing {

class ManualClock final : public Clock {
 public:
  TimePoint Now() const override { return TimePoint(Duration(now_.load())); }
  WallTime WallNow() const override {
    return WallTime(Duration(wall_offset_.load() + now_.load()));
  }
  void Advance(Duration d) { now_.fetch_add(d.count()); }
  // Steps the wall clock by `d` (negative: backward); the monotonic clock does not move.
  void StepWall(Duration d) { wall_offset_.fetch_add(d.count()); }

 private:
  std::atomic<Duration::rep> now_{1'000'000'000};
  std::atomic<Duration::rep> wall_offset_{1'764'000'000'000'000'000};  // late 2025, in ns
};

// FakeClockSync: a ClockSync whose answer the test sets. Thread-safe.
class FakeClockSync final : public ClockSync {
 public:
  explicit FakeClockSync(bool synced = true) : synced_(synced) {}
  bool Synchronized() const override { return synced_.load(); }
  void Set(bool synced) { synced_.store(synced); }

 private:
  std::atomic<bool> synced_;
};

}  // namespace ef::testing
