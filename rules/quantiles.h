// Quantiles: the percentiles of one field in one window. Exact while the window holds at most
// kExactValues values (every value kept, linear interpolation between closest ranks, as
// numpy's default); beyond that the values move into a logarithmic-bucket sketch in the
// manner of DDSketch: every value v != 0 falls into bucket ceil(log_g |v|) with
// g = (1 + a) / (1 - a), a = kRelativeError, so a reported quantile is within a relative
// error of a (1%) of a value of the right rank. At most kMaxBuckets buckets are kept per sign;
// beyond that the lowest-magnitude buckets are merged, which affects only the quantiles that
// fall into them (documented in rules/README.md).
//
// A plain value; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "rules/state_codec.h"

namespace ef::rules {

class Quantiles {
 public:
  static constexpr size_t kExactValues = 256;
  static constexpr double kRelativeError = 0.01;
  static constexpr size_t kMaxBuckets = 1024;

  void Add(double v);
  // Empties it, keeping its memory (a window recomputed per event reuses it).
  void Clear();
  // The q-quantile (0 <= q <= 1); NaN when empty. The exact values are sorted in place on the
  // first call after an Add (their order means nothing), so several percentiles of one
  // window sort once.
  double Quantile(double q) const;
  size_t Bytes() const;
  bool exact() const { return !sketched_; }
  void Encode(StateWriter& out) const;
  bool Decode(StateReader& in);

 private:
  void MoveToSketch();
  void AddToSketch(double v, uint64_t n);
  static void Collapse(std::map<int32_t, uint64_t>& buckets);
  double SketchQuantile(double q) const;

  bool sketched_ = false;
  mutable bool sorted_ = true;              // exact mode: values_ is in ascending order
  mutable std::vector<double> values_;      // exact mode
  std::map<int32_t, uint64_t> positive_, negative_;  // sketch mode: bucket -> count
  uint64_t zeros_ = 0, count_ = 0;
};

}  // namespace ef::rules
