// Backoff: capped exponential backoff with full jitter, for reconnecting to brokers.
//
// The n-th consecutive failure waits a uniformly random time in [min, min(cap, base * 2^n)]
// ("full jitter"), so a fleet of gateways that lost the same broker does not reconnect in
// lock-step. Reset() after a success. Pure: the caller owns the clock and the waiting.
// Not thread-safe; each connection keeps its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace ef {

struct BackoffPolicy {
  std::chrono::milliseconds min{100};    // Default: 100 ms, the shortest wait
  std::chrono::milliseconds base{500};   // Default: 500 ms, the first upper bound
  std::chrono::milliseconds cap{5000};   // Default: 5 s, the largest upper bound
};

class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy, uint64_t seed = std::random_device{}())
      : policy_(policy), rng_(seed) {}

  // The wait before the next attempt; counts one more failure.
  std::chrono::milliseconds NextDelay();
  void Reset() { failures_ = 0; }
  uint32_t failures() const { return failures_; }

 private:
  BackoffPolicy policy_;
  std::mt19937_64 rng_;
  uint32_t failures_ = 0;
};

}  // namespace ef
