#include "rules/aggregates.h"

#include <array>
#include <cmath>

namespace ef::rules {
namespace {

using Out = std::optional<double>;

Out Percentile(const FieldStats& s, double q) {
  if (s.count == 0 || !s.quantiles) return std::nullopt;
  return s.quantiles->Quantile(q);
}

const std::array<AggregateDef, 14> kAggregates = {{
    {"count", [](const FieldStats& s) -> Out { return static_cast<double>(s.count); }, false},
    {"sum", [](const FieldStats& s) -> Out { return s.sum; }, false},
    {"min", [](const FieldStats& s) -> Out { return s.count ? Out(s.min) : std::nullopt; }, false},
    {"max", [](const FieldStats& s) -> Out { return s.count ? Out(s.max) : std::nullopt; }, false},
    {"mean", [](const FieldStats& s) -> Out { return s.count ? Out(s.mean) : std::nullopt; },
     false},
    // The sample standard deviation (n - 1), as Telegraf's basicstats reports it.
    {"stddev",
     [](const FieldStats& s) -> Out {
       return s.count > 1 ? Out(std::sqrt(s.m2 / static_cast<double>(s.count - 1)))
                          : std::nullopt;
     },
     false},
    {"first", [](const FieldStats& s) -> Out { return s.count ? Out(s.first) : std::nullopt; },
     false},
    {"last", [](const FieldStats& s) -> Out { return s.count ? Out(s.last) : std::nullopt; },
     false},
    {"delta", [](const FieldStats& s) -> Out { return s.count ? Out(s.last - s.first) : std::nullopt; },
     false},
    // Per second of event time between the first and the last value.
    {"rate",
     [](const FieldStats& s) -> Out {
       if (s.count < 2 || s.last_ms == s.first_ms) return std::nullopt;
       return (s.last - s.first) * 1000.0 / static_cast<double>(s.last_ms - s.first_ms);
     },
     false},
    {"p50", [](const FieldStats& s) { return Percentile(s, 0.50); }, true},
    {"p90", [](const FieldStats& s) { return Percentile(s, 0.90); }, true},
    {"p95", [](const FieldStats& s) { return Percentile(s, 0.95); }, true},
    {"p99", [](const FieldStats& s) { return Percentile(s, 0.99); }, true},
}};

}  // namespace

void FieldStats::Add(double v, int64_t time_ms) {
  if (count == 0) {
    min = max = first = last = v;
    first_ms = last_ms = time_ms;
  } else {
    min = std::min(min, v);
    max = std::max(max, v);
    // First and last by event time; an equal time keeps arrival order.
    if (time_ms < first_ms) {
      first = v;
      first_ms = time_ms;
    }
    if (time_ms >= last_ms) {
      last = v;
      last_ms = time_ms;
    }
  }
  ++count;
  sum += v;
  const double d = v - mean;
  mean += d / static_cast<double>(count);
  m2 += d * (v - mean);
  if (quantiles) quantiles->Add(v);
}

void FieldStats::Clear() {
  std::optional<Quantiles> kept = std::move(quantiles);
  *this = FieldStats();
  quantiles = std::move(kept);
  if (quantiles) quantiles->Clear();
}

size_t FieldStats::Bytes() const {
  return sizeof(*this) + (quantiles ? quantiles->Bytes() : 0);
}

void FieldStats::Encode(StateWriter& out) const {
  out.U64(count);
  for (const double v : {sum, mean, m2, min, max, first, last}) out.F64(v);
  out.I64(first_ms);
  out.I64(last_ms);
  out.Bool(quantiles.has_value());
  if (quantiles) quantiles->Encode(out);
}

bool FieldStats::Decode(StateReader& in) {
  count = in.U64();
  for (double* v : {&sum, &mean, &m2, &min, &max, &first, &last}) *v = in.F64();
  first_ms = in.I64();
  last_ms = in.I64();
  quantiles.reset();
  if (in.Bool()) {
    quantiles.emplace();
    if (!quantiles->Decode(in)) return false;
  }
  return in.ok();
}

std::span<const AggregateDef> AllAggregates() { return kAggregates; }

const AggregateDef* FindAggregate(std::string_view name) {
  for (const AggregateDef& def : kAggregates) {
    if (def.name == name) return &def;
  }
  return nullptr;
}

std::optional<double> NumberOf(const Value& value) {
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* i = std::get_if<int64_t>(&value)) return static_cast<double>(*i);
  if (const auto* b = std::get_if<bool>(&value)) return *b ? 1.0 : 0.0;
  return std::nullopt;
}

}  // namespace ef::rules
