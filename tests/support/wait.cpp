#include "tests/support/wait.h"

#include <poll.h>

#include <algorithm>

namespace ef::testkit {

Deadline DeadlineIn(SteadyClock::duration d) { return SteadyClock::now() + d; }

SteadyClock::time_point SteadyNow() { return SteadyClock::now(); }

int64_t WallMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t WallMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {

// Blocks for up to `interval` but never past `deadline`; poll() with no descriptors is an
// interruptible timed block that does not depend on the thread's signal mask.
void BlockBriefly(Deadline deadline, std::chrono::milliseconds interval) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  auto step = std::clamp(left, std::chrono::milliseconds(0), interval);
  if (step.count() > 0) ::poll(nullptr, 0, static_cast<int>(step.count()));
}

}  // namespace

bool WaitUntil(Deadline deadline, const std::function<bool()>& predicate,
               std::chrono::milliseconds interval) {
  while (true) {
    if (predicate()) return true;
    if (SteadyClock::now() >= deadline) return false;
    BlockBriefly(deadline, interval);
  }
}

void HoldUntil(Deadline deadline) {
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock lock(mu);
  // Nobody notifies `cv`: this returns at the deadline, spurious wake-ups are re-checked.
  cv.wait_until(lock, deadline, [&] { return SteadyClock::now() >= deadline; });
}

}  // namespace ef::testkit
