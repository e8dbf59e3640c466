#include <doctest/doctest.h>

#include "core/backoff.h"

namespace ef {

TEST_CASE("backoff grows exponentially, stays within the cap and resets") {
  using std::chrono::milliseconds;
  Backoff backoff(BackoffPolicy{milliseconds(100), milliseconds(500), milliseconds(5000)}, 42);
  int64_t largest = 0;
  for (int i = 0; i < 50; ++i) {
    const auto d = backoff.NextDelay();
    CHECK(d >= milliseconds(100));
    CHECK(d <= milliseconds(5000));
    if (i == 0) CHECK(d <= milliseconds(500));
    largest = std::max<int64_t>(largest, d.count());
  }
  CHECK(largest > 2500);  // full jitter still reaches the upper range
  CHECK(backoff.failures() == 50);
  backoff.Reset();
  CHECK(backoff.NextDelay() <= milliseconds(500));
}

TEST_CASE("two gateways with different seeds do not retry in lock-step") {
  Backoff a(BackoffPolicy{}, 1), b(BackoffPolicy{}, 2);
  int same = 0;
  for (int i = 0; i < 20; ++i) same += a.NextDelay() == b.NextDelay() ? 1 : 0;
  CHECK(same < 5);
}

}  // namespace ef
