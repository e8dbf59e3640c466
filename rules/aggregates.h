// Aggregates: what a window computes over the values of one field, and the table of
// aggregate names a rule may ask for (count, sum, min, max, mean, stddev, first, last, delta,
// rate, p50, p90, p95, p99).
//
// FieldStats accumulates one field in one window in O(1) per value (Welford's mean and
// variance, min/max, first/last by event time), plus Quantiles when a percentile is asked
// for. Integers and doubles count as numbers, bools as 0/1; strings are not numbers and are
// skipped. An aggregate with no defined value (the stddev of one value, the rate over no
// time) is left out of the output rather than written as 0.
//
// Plain values and an immutable table: thread-safe as values are.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "rules/quantiles.h"
#include "rules/state_codec.h"

namespace ef::rules {

struct FieldStats {
  uint64_t count = 0;
  double sum = 0, mean = 0, m2 = 0, min = 0, max = 0;
  double first = 0, last = 0;
  int64_t first_ms = 0, last_ms = 0;
  std::optional<Quantiles> quantiles;  // only when a percentile is asked for

  void Add(double v, int64_t time_ms);
  // Back to no value, keeping the quantiles' memory.
  void Clear();
  size_t Bytes() const;
  void Encode(StateWriter& out) const;
  bool Decode(StateReader& in);
};

struct AggregateDef {
  std::string_view name;
  // The value, or nullopt when it is undefined for these stats.
  std::optional<double> (*compute)(const FieldStats& stats);
  bool needs_quantiles;
};

// The table of every aggregate, in documentation order.
std::span<const AggregateDef> AllAggregates();
const AggregateDef* FindAggregate(std::string_view name);

// The number in `value`, for aggregation: nullopt for strings.
std::optional<double> NumberOf(const Value& value);

}  // namespace ef::rules
