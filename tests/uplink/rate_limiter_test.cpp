// The uplink's rate limits are never exceeded in any one-second window.
#include <doctest/doctest.h>

#include <deque>

#include "tests/fakes/manual_clock.h"
#include "uplink/rate_limiter.h"

namespace ef::uplink {
namespace {
using namespace std::chrono_literals;

// Sends as fast as the bucket allows for `duration`, each request `amount`, and returns the
// largest total taken in any sliding one-second window.
double MaxPerSecond(double rate, double amount, std::chrono::seconds duration,
                    double largest = 0) {
  testing::ManualClock clock;
  TokenBucket bucket(rate, largest);
  std::deque<std::pair<Clock::TimePoint, double>> window;
  double in_window = 0, worst = 0;
  const Clock::TimePoint end = clock.Now() + duration;
  while (clock.Now() < end) {
    const Clock::Duration wait = bucket.WaitFor(amount, clock.Now());
    if (wait > Clock::Duration::zero()) {
      clock.Advance(wait);
      continue;
    }
    bucket.Take(amount);
    window.emplace_back(clock.Now(), amount);
    in_window += amount;
    while (window.front().first <= clock.Now() - 1s) {
      in_window -= window.front().second;
      window.pop_front();
    }
    worst = std::max(worst, in_window);
    clock.Advance(1ms);
  }
  return worst;
}

TEST_CASE("publishes per second never exceed the limit in any window") {
  CHECK(MaxPerSecond(100, 1, 10s) <= 100);
  CHECK(MaxPerSecond(100, 1, 10s) >= 90);  // and the limit is nearly used
}

TEST_CASE("bytes per second hold even for messages larger than the burst") {
  const double limit = 512 * 1024;
  CHECK(MaxPerSecond(limit, 128 * 1024, 20s, 128 * 1024) <= limit);
  CHECK(MaxPerSecond(limit, 105 * 1024, 20s, 128 * 1024) <= limit);
  CHECK(MaxPerSecond(limit, 1000, 10s) <= limit);
  CHECK(MaxPerSecond(limit, 1000, 10s) >= 0.85 * limit);
}

TEST_CASE("a rate of zero is unlimited") {
  testing::ManualClock clock;
  TokenBucket bucket(0);
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(bucket.WaitFor(1e9, clock.Now()) == Clock::Duration::zero());
    bucket.Take(1e9);
  }
}

}  // namespace
}  // namespace ef::uplink
