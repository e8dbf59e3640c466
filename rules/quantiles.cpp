#include "rules/quantiles.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ef::rules {
namespace {
const double kGamma = (1 + Quantiles::kRelativeError) / (1 - Quantiles::kRelativeError);
const double kLogGamma = std::log(kGamma);

int32_t BucketOf(double magnitude) {
  return static_cast<int32_t>(std::ceil(std::log(magnitude) / kLogGamma));
}
// The value that represents bucket i: within kRelativeError of every value in it.
double ValueOf(int32_t i) { return 2 * std::pow(kGamma, i) / (kGamma + 1); }
}  // namespace

void Quantiles::Add(double v) {
  if (std::isnan(v)) return;
  if (!sketched_) {
    sorted_ = sorted_ && (values_.empty() || values_.back() <= v);
    values_.push_back(v);
    if (values_.size() > kExactValues) MoveToSketch();
    return;
  }
  AddToSketch(v, 1);
}

void Quantiles::Clear() {
  sketched_ = false;
  sorted_ = true;
  values_.clear();
  positive_.clear();
  negative_.clear();
  zeros_ = count_ = 0;
}

void Quantiles::MoveToSketch() {
  sketched_ = true;
  for (const double v : values_) AddToSketch(v, 1);
  values_.clear();
  values_.shrink_to_fit();
}

void Quantiles::AddToSketch(double v, uint64_t n) {
  count_ += n;
  if (v == 0 || !std::isfinite(v)) {
    // Infinities count with zero: rare, and a sketch bucket cannot hold them.
    zeros_ += n;
    return;
  }
  auto& buckets = v > 0 ? positive_ : negative_;
  buckets[BucketOf(std::fabs(v))] += n;
  if (buckets.size() > kMaxBuckets) Collapse(buckets);
}

void Quantiles::Collapse(std::map<int32_t, uint64_t>& buckets) {
  auto lowest = buckets.begin();
  auto next = std::next(lowest);
  next->second += lowest->second;
  buckets.erase(lowest);
}

double Quantiles::Quantile(double q) const {
  q = std::clamp(q, 0.0, 1.0);
  if (sketched_) return SketchQuantile(q);
  if (values_.empty()) return std::numeric_limits<double>::quiet_NaN();
  if (!sorted_) {
    std::sort(values_.begin(), values_.end());
    sorted_ = true;
  }
  const std::vector<double>& sorted = values_;
  const double rank = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<size_t>(std::floor(rank));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  const double frac = rank - static_cast<double>(below);
  return sorted[below] + (sorted[above] - sorted[below]) * frac;
}

double Quantiles::SketchQuantile(double q) const {
  if (count_ == 0) return std::numeric_limits<double>::quiet_NaN();
  const auto rank = static_cast<uint64_t>(q * static_cast<double>(count_ - 1));
  uint64_t seen = 0;
  // Most negative first: the negative buckets from the largest magnitude down.
  for (auto it = negative_.rbegin(); it != negative_.rend(); ++it) {
    seen += it->second;
    if (seen > rank) return -ValueOf(it->first);
  }
  seen += zeros_;
  if (seen > rank) return 0;
  for (const auto& [bucket, n] : positive_) {
    seen += n;
    if (seen > rank) return ValueOf(bucket);
  }
  return positive_.empty() ? 0 : ValueOf(positive_.rbegin()->first);
}

size_t Quantiles::Bytes() const {
  return sizeof(*this) + values_.capacity() * sizeof(double) +
         (positive_.size() + negative_.size()) * 48;
}

void Quantiles::Encode(StateWriter& out) const {
  out.Bool(sketched_);
  if (!sketched_) {
    out.U64(values_.size());
    for (const double v : values_) out.F64(v);
    return;
  }
  out.U64(zeros_);
  for (const auto* buckets : {&positive_, &negative_}) {
    out.U64(buckets->size());
    for (const auto& [bucket, n] : *buckets) {
      out.I64(bucket);
      out.U64(n);
    }
  }
}

bool Quantiles::Decode(StateReader& in) {
  *this = Quantiles();
  sketched_ = in.Bool();
  if (!sketched_) {
    const uint64_t n = in.Count(8);
    if (n > kExactValues) return false;
    for (uint64_t i = 0; i < n && in.ok(); ++i) Add(in.F64());
    return in.ok();
  }
  zeros_ = in.U64();
  count_ = zeros_;
  for (auto* buckets : {&positive_, &negative_}) {
    const uint64_t n = in.Count(2);
    if (n > kMaxBuckets) return false;
    for (uint64_t i = 0; i < n && in.ok(); ++i) {
      const auto bucket = static_cast<int32_t>(in.I64());
      const uint64_t c = in.U64();
      (*buckets)[bucket] = c;
      count_ += c;
    }
  }
  return in.ok();
}

}  // namespace ef::rules
