// SampleRing: the last `capacity` values of a series, oldest overwritten first, with the
// running sum and sum of squares for mean and variance. Storage is allocated once. Values are
// saved to and restored from a checkpoint exactly as they are held. Not thread-safe.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "rules/detectors/num_codec.h"

namespace ef::rules {

class SampleRing {
 public:
  explicit SampleRing(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {
    values_.reserve(capacity_);
  }

  void Push(double value) {
    if (values_.size() < capacity_) {
      values_.push_back(value);
    } else {
      sum_ -= values_[head_];
      sum_sq_ -= values_[head_] * values_[head_];
      values_[head_] = value;
      head_ = (head_ + 1) % capacity_;
    }
    sum_ += value;
    sum_sq_ += value * value;
    // Running sums drift with cancellation; recompute them once per lap.
    if (++pushes_ % capacity_ == 0) Resum();
  }

  size_t size() const { return values_.size(); }
  // The value the next Push() overwrites. REQUIRES: full().
  double Oldest() const { return values_[head_]; }
  bool full() const { return values_.size() == capacity_; }
  // The i-th value from the oldest. REQUIRES: i < size().
  double FromOldest(size_t i) const { return values_[(head_ + i) % values_.size()]; }
  // Unordered view of the values (for medians and counts).
  const std::vector<double>& values() const { return values_; }
  double Mean() const { return values_.empty() ? 0.0 : sum_ / static_cast<double>(size()); }
  // Population standard deviation.
  double Stddev() const {
    if (values_.empty()) return 0.0;
    const double mean = Mean();
    const double var = sum_sq_ / static_cast<double>(size()) - mean * mean;
    return var > 0.0 ? std::sqrt(var) : 0.0;
  }

  void Save(NumWriter& out) const {
    // The running sums and the lap position too, so a restored ring continues bit-for-bit.
    // Storage order and sums as they are: a re-sum in another order would differ in the last bit.
    out.Int(static_cast<int64_t>(values_.size())).Int(static_cast<int64_t>(head_));
    out.Int(static_cast<int64_t>(pushes_ % capacity_)).Num(sum_).Num(sum_sq_);
    out.Doubles(values_.data(), values_.size());
  }
  // False when the saved count does not fit this ring.
  bool Load(NumReader& in) {
    const int64_t n = in.Int();
    const int64_t head = in.Int();
    const int64_t lap = in.Int();
    const double sum = in.Num();
    const double sum_sq = in.Num();
    if (n < 0 || static_cast<size_t>(n) > capacity_ || lap < 0 || head < 0 ||
        (head > 0 && head >= n)) {
      return false;
    }
    std::vector<double> loaded;
    loaded.reserve(capacity_);
    if (!in.Doubles(loaded) || loaded.size() != static_cast<size_t>(n)) return false;
    values_ = std::move(loaded);
    head_ = static_cast<size_t>(head);
    pushes_ = static_cast<size_t>(lap);
    sum_ = sum;
    sum_sq_ = sum_sq;
    return true;
  }

 private:
  void Resum() {
    sum_ = 0.0;
    sum_sq_ = 0.0;
    for (const double v : values_) {
      sum_ += v;
      sum_sq_ += v * v;
    }
  }

  size_t capacity_;
  std::vector<double> values_;
  size_t head_ = 0;  // oldest value once full
  size_t pushes_ = 0;
  double sum_ = 0.0;
  double sum_sq_ = 0.0;
};

}  // namespace ef::rules
