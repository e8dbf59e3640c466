// Aggregates: the table's values, percentiles exact while small and within the sketch's
// stated relative error beyond, their checkpoint encoding.
#include "rules/aggregates.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace ef::rules {
namespace {

double Of(const FieldStats& s, std::string_view name) { return *FindAggregate(name)->compute(s); }

TEST_CASE("count, sum, mean, stddev, rate; undefined values are left out") {
  FieldStats s;
  for (int i = 1; i <= 4; ++i) s.Add(i * 2.0, i * 1000);
  CHECK(Of(s, "count") == 4);
  CHECK(Of(s, "sum") == 20);
  CHECK(Of(s, "mean") == 5);
  CHECK(Of(s, "stddev") == doctest::Approx(std::sqrt(20.0 / 3)));
  CHECK(Of(s, "rate") == doctest::Approx(2.0));  // 6 over 3 s
  FieldStats one;
  one.Add(1, 0);
  CHECK(!FindAggregate("stddev")->compute(one));
  CHECK(!FindAggregate("rate")->compute(one));
  CHECK(FindAggregate("p77") == nullptr);
}

TEST_CASE("percentiles: exact up to 256 values, then within 1% relative error") {
  Quantiles q;
  for (int i = 1; i <= 101; ++i) q.Add(i);
  CHECK(q.exact());
  CHECK(q.Quantile(0.5) == 51);
  CHECK(q.Quantile(0.9) == 91);
  std::mt19937 rng(7);
  std::lognormal_distribution<double> dist(3, 1);
  std::vector<double> values;
  Quantiles big;
  for (int i = 0; i < 100000; ++i) {
    values.push_back(dist(rng) - (i % 10 == 0 ? 100 : 0));
    big.Add(values.back());
  }
  CHECK(!big.exact());
  std::sort(values.begin(), values.end());
  for (double p : {0.5, 0.9, 0.95, 0.99}) {
    const double truth = values[static_cast<size_t>(p * static_cast<double>(values.size() - 1))];
    CHECK(std::fabs(big.Quantile(p) - truth) <= 0.0101 * std::fabs(truth));
  }
  std::string bytes;
  StateWriter out(&bytes);
  big.Encode(out);
  StateReader in(bytes);
  Quantiles back;
  REQUIRE(back.Decode(in));
  CHECK(back.Quantile(0.95) == big.Quantile(0.95));
}

TEST_CASE("stats round-trip through the checkpoint encoding; bad bytes are refused") {
  FieldStats s;
  s.quantiles.emplace();
  for (int i = 0; i < 10; ++i) s.Add(i * 1.5, i);
  std::string bytes;
  StateWriter out(&bytes);
  s.Encode(out);
  StateReader in(bytes);
  FieldStats back;
  REQUIRE(back.Decode(in));
  CHECK(Of(back, "p90") == Of(s, "p90"));
  CHECK(Of(back, "mean") == Of(s, "mean"));
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    StateReader truncated(std::string_view(bytes).substr(0, cut));
    FieldStats partial;
    CHECK(!partial.Decode(truncated));
  }
}

}  // namespace
}  // namespace ef::rules
