// Deadlines and condition waits for tests and benchmark tools.
//
// Tests never sleep to wait for something: they state the condition and a deadline. WaitUntil
// re-checks a predicate and blocks in poll() for a short interval between checks; WaitOnCondition
// blocks on a condition variable that the producer (usually an MQTT callback) signals.
//
// This file is the only place in ef_testkit that reads a clock.
//
// Thread-safety: all functions are reentrant; the predicate runs on the calling thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

namespace ef::testkit {

using SteadyClock = std::chrono::steady_clock;
using Deadline = SteadyClock::time_point;

// Returns now + `d` on the steady clock.
Deadline DeadlineIn(SteadyClock::duration d);

// Current steady time; used to measure how long something took.
SteadyClock::time_point SteadyNow();

// Wall clock in milliseconds / microseconds since the Unix epoch.
int64_t WallMillis();
int64_t WallMicros();

// Polls `predicate` until it returns true (returns true) or `deadline` passes (returns false).
// Between checks it blocks in poll() for at most `interval`, never past the deadline.
// The predicate is always evaluated at least once, and once more at the deadline.
bool WaitUntil(Deadline deadline, const std::function<bool()>& predicate,
               std::chrono::milliseconds interval = std::chrono::milliseconds(10));

// Blocks on `cv` (with `lock` held by the caller) until `predicate` holds or `deadline` passes.
// Returns the final value of the predicate. REQUIRES: `lock` owns the mutex guarding the state
// that `predicate` reads, and the producer notifies `cv` after changing that state.
template <typename Predicate>
bool WaitOnCondition(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                     Deadline deadline, Predicate predicate) {
  return cv.wait_until(lock, deadline, predicate);
}

// Blocks the calling thread until `deadline` without any condition: only for deliberate pauses
// whose length is the point of the test (e.g. "the cloud is down for 5 s").
void HoldUntil(Deadline deadline);

}  // namespace ef::testkit
