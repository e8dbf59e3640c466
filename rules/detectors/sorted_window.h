// SortedWindow: the last `capacity` values of a series kept both in arrival order (to know
// which one leaves) and sorted (for order statistics), so that the median is O(1), counting
// the values at least as far from a point is O(log n) and a push is one memmove of the sorted
// array (O(n) but a few hundred nanoseconds for thousands of values). Checkpoints hold the
// arrival order only; the sorted copy is rebuilt on load. Not thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "rules/detectors/num_codec.h"
#include "rules/detectors/sample_ring.h"

namespace ef::rules {

class SortedWindow {
 public:
  explicit SortedWindow(size_t capacity) : capacity_(capacity), ring_(capacity) {
    sorted_.reserve(capacity);
  }

  void Push(double value) {
    if (ring_.full()) {
      const auto old = std::lower_bound(sorted_.begin(), sorted_.end(), ring_.Oldest());
      if (old != sorted_.end()) sorted_.erase(old);
    }
    ring_.Push(value);
    sorted_.insert(std::upper_bound(sorted_.begin(), sorted_.end(), value), value);
  }

  size_t size() const { return sorted_.size(); }
  const SampleRing& ring() const { return ring_; }

  // 0 when empty.
  double Median() const {
    const size_t n = sorted_.size();
    if (n == 0) return 0.0;
    return n % 2 == 1 ? sorted_[n / 2] : (sorted_[n / 2 - 1] + sorted_[n / 2]) / 2.0;
  }

  // How many values v have |v - center| >= distance.
  size_t CountAtLeastAsFar(double center, double distance) const {
    if (distance <= 0.0) return sorted_.size();
    const auto below = std::upper_bound(sorted_.begin(), sorted_.end(), center - distance);
    const auto above = std::lower_bound(sorted_.begin(), sorted_.end(), center + distance);
    return static_cast<size_t>(below - sorted_.begin()) +
           static_cast<size_t>(sorted_.end() - above);
  }

  // The largest |v - center|; 0 when empty.
  double Farthest(double center) const {
    if (sorted_.empty()) return 0.0;
    return std::max(center - sorted_.front(), sorted_.back() - center);
  }

  // The median absolute deviation from `center`: the values' distances from it merge in
  // increasing order from the center outwards, so the k-th is found in O(n / 2).
  double MedianDistance(double center) const {
    const size_t n = sorted_.size();
    if (n == 0) return 0.0;
    auto lo = std::lower_bound(sorted_.begin(), sorted_.end(), center);
    auto hi = lo;  // [lo, hi) taken so far; next candidates are lo[-1] and *hi
    double kth_prev = 0.0, kth = 0.0;
    for (size_t taken = 0; taken <= n / 2; ++taken) {
      const bool can_low = lo != sorted_.begin();
      const bool can_high = hi != sorted_.end();
      const double d_low = can_low ? center - *(lo - 1) : 0.0;
      const double d_high = can_high ? *hi - center : 0.0;
      kth_prev = kth;
      if (can_low && (!can_high || d_low <= d_high)) {
        kth = d_low;
        --lo;
      } else {
        kth = d_high;
        ++hi;
      }
    }
    return n % 2 == 1 ? kth : (kth_prev + kth) / 2.0;
  }

  void Save(NumWriter& out) const { ring_.Save(out); }
  bool Load(NumReader& in) {
    SampleRing ring(capacity_);
    if (!ring.Load(in)) return false;
    ring_ = std::move(ring);
    sorted_ = ring_.values();
    std::sort(sorted_.begin(), sorted_.end());
    return true;
  }

 private:
  size_t capacity_;
  SampleRing ring_;
  std::vector<double> sorted_;
};

}  // namespace ef::rules
