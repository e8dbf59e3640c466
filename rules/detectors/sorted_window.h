// SortedWindow: the last `capacity` values of a series kept both in arrival order (to know
// which one leaves) and sorted (for order statistics), so that the median is O(1), counting
// the values at least as far from a point and the median distance are O(log n), and a push
// is one memmove of the sorted values between the leaving and the arriving one (O(n) but a
// few hundred nanoseconds for thousands of values). Checkpoints hold the arrival order only; the sorted copy is rebuilt on load.
// Not thread-safe.
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
    const auto to = std::upper_bound(sorted_.begin(), sorted_.end(), value);
    if (!ring_.full()) {
      ring_.Push(value);
      sorted_.insert(to, value);
      return;
    }
    // The leaving value's slot moves to the new value's place: only the values between the
    // two shift by one (one memmove of that span, not of both tails).
    const auto from = std::lower_bound(sorted_.begin(), sorted_.end(), ring_.Oldest());
    ring_.Push(value);
    if (from == sorted_.end()) {  // not there (only a NaN could do that): as before, insert
      sorted_.insert(to, value);
    } else if (to <= from) {
      std::copy_backward(to, from, from + 1);
      *to = value;
    } else {
      std::copy(from + 1, to, from);
      *(to - 1) = value;
    }
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

  // The median absolute deviation from `center`: the values' distances from it form two
  // sorted sequences (left of the center outwards, right of it outwards), so the middle one
  // or two are found by binary search over how many come from the left, in O(log n).
  double MedianDistance(double center) const {
    const size_t n = sorted_.size();
    if (n == 0) return 0.0;
    const size_t split = static_cast<size_t>(
        std::lower_bound(sorted_.begin(), sorted_.end(), center) - sorted_.begin());
    const double kth = KthDistance(center, split, n / 2);
    return n % 2 == 1 ? kth : (KthDistance(center, split, n / 2 - 1) + kth) / 2.0;
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
  // The k-th smallest (from 0) of the distances |v - center|, where sorted_[0, split) lie
  // below the center and sorted_[split, n) at or above it. REQUIRES: k < n.
  double KthDistance(double center, size_t split, size_t k) const {
    const size_t below = split, above = sorted_.size() - split;
    // Distances of the i-th value outwards on each side (both increase with i).
    const auto left = [&](size_t i) { return center - sorted_[split - 1 - i]; };
    const auto right = [&](size_t i) { return sorted_[split + i] - center; };
    // The k + 1 smallest take `lo` from the left and k + 1 - lo from the right: the least
    // lo at which taking one more from the left would not beat the right's last taken.
    size_t lo = k + 1 > above ? k + 1 - above : 0;
    size_t hi = std::min(below, k + 1);
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      if (left(mid) < right(k - mid)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    const size_t from_right = k + 1 - lo;
    if (lo == 0) return right(from_right - 1);
    if (from_right == 0) return left(lo - 1);
    return std::max(left(lo - 1), right(from_right - 1));
  }

  size_t capacity_;
  SampleRing ring_;
  std::vector<double> sorted_;
};

}  // namespace ef::rules
