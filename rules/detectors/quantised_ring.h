// QuantisedRing: the last `capacity` values in [0, 1] of a series, each rounded to a multiple
// of 1/65535 as it arrives and held as 16 bits, with exact integer running sums for mean and
// variance. Because the sums are exact, a ring restored from its values alone (two bytes
// each in a checkpoint) continues bit-for-bit. Values outside [0, 1] are clamped. Not
// thread-safe.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "rules/detectors/num_codec.h"

namespace ef::rules {

class QuantisedRing {
 public:
  static constexpr double kSteps = 65535.0;

  explicit QuantisedRing(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {
    values_.reserve(capacity_);
  }

  // The value as the ring holds it (rounded), which is what the caller should use too.
  static double Rounded(double value) { return Quantise(value) / kSteps; }

  void Push(double value) {
    const uint16_t q = Quantise(value);
    if (values_.size() < capacity_) {
      values_.push_back(q);
    } else {
      Remove(values_[head_]);
      values_[head_] = q;
      head_ = (head_ + 1) % capacity_;
    }
    sum_ += q;
    sum_sq_ += static_cast<int64_t>(q) * q;
  }

  size_t size() const { return values_.size(); }
  double Mean() const {
    return values_.empty() ? 0.0 : static_cast<double>(sum_) / kSteps / static_cast<double>(size());
  }
  // Population standard deviation.
  double Stddev() const {
    if (values_.empty()) return 0.0;
    const double n = static_cast<double>(size());
    const double mean = static_cast<double>(sum_) / n;
    const double var = static_cast<double>(sum_sq_) / n - mean * mean;
    return var > 0.0 ? std::sqrt(var) / kSteps : 0.0;
  }

  // The values oldest first, two little-endian bytes each.
  void Save(NumWriter& out) const {
    std::string bytes;
    bytes.reserve(2 * values_.size());
    for (size_t i = 0; i < values_.size(); ++i) {
      const uint16_t q = values_[(head_ + i) % values_.size()];
      bytes.push_back(static_cast<char>(q & 0xff));
      bytes.push_back(static_cast<char>(q >> 8));
    }
    out.Bytes(bytes);
  }
  // False when the saved values do not fit this ring.
  bool Load(NumReader& in) {
    const std::string bytes = in.Bytes();
    if (bytes.size() % 2 != 0 || bytes.size() / 2 > capacity_) return false;
    QuantisedRing loaded(capacity_);
    for (size_t i = 0; i < bytes.size(); i += 2) {
      const auto lo = static_cast<uint8_t>(bytes[i]);
      const auto hi = static_cast<uint8_t>(bytes[i + 1]);
      loaded.Push(static_cast<uint16_t>(lo | (hi << 8)) / kSteps);
    }
    *this = std::move(loaded);
    return true;
  }

 private:
  static uint16_t Quantise(double value) {
    const double clamped = std::clamp(value, 0.0, 1.0);
    return static_cast<uint16_t>(std::lround(clamped * kSteps));
  }
  void Remove(uint16_t q) {
    sum_ -= q;
    sum_sq_ -= static_cast<int64_t>(q) * q;
  }

  size_t capacity_;
  std::vector<uint16_t> values_;
  size_t head_ = 0;  // oldest value once full
  int64_t sum_ = 0;
  int64_t sum_sq_ = 0;
};

}  // namespace ef::rules
