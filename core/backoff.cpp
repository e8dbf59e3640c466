#include "core/backoff.h"

#include <algorithm>

namespace ef {

std::chrono::milliseconds Backoff::NextDelay() {
  // Shifting stops growing long before the cap could overflow.
  const uint32_t exponent = std::min<uint32_t>(failures_, 20);
  ++failures_;
  const int64_t upper = std::min<int64_t>(policy_.cap.count(),
                                          policy_.base.count() * (int64_t{1} << exponent));
  const int64_t lower = std::min<int64_t>(policy_.min.count(), upper);
  std::uniform_int_distribution<int64_t> pick(lower, upper);
  return std::chrono::milliseconds(pick(rng_));
}

}  // namespace ef
