// SortedWindow against brute force: median, median distance and tail counts after many
// pushes (the window slides), with ties and both even and odd sizes; a checkpoint round trip.
#include "rules/detectors/sorted_window.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <random>
#include <vector>

namespace ef::rules {
namespace {

double BruteMedian(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

TEST_CASE("sorted window: order statistics agree with brute force as the window slides") {
  for (const size_t capacity : {1u, 2u, 7u, 100u}) {
    CAPTURE(capacity);
    SortedWindow window(capacity);
    std::deque<double> kept;
    std::mt19937 rng(3);
    std::uniform_int_distribution<int> pick(0, 20);  // small range: many ties
    for (int i = 0; i < 500; ++i) {
      const double v = pick(rng) * 0.5;
      window.Push(v);
      kept.push_back(v);
      if (kept.size() > capacity) kept.pop_front();
      const std::vector<double> all(kept.begin(), kept.end());
      const double median = BruteMedian(all);
      REQUIRE(window.size() == all.size());
      CHECK(window.Median() == median);
      std::vector<double> distances;
      for (const double x : all) distances.push_back(std::abs(x - median));
      CHECK(window.MedianDistance(median) == BruteMedian(distances));
      const double probe = pick(rng) * 0.5;
      const double d = std::abs(probe - median);
      const auto far = static_cast<size_t>(std::count_if(
          all.begin(), all.end(), [&](double x) { return std::abs(x - median) >= d; }));
      CHECK(window.CountAtLeastAsFar(median, d) == far);
    }
    NumWriter out("w");
    window.Save(out);
    const std::string bytes = out.Take();
    NumReader in(bytes, "w");
    SortedWindow restored(capacity);
    REQUIRE(restored.Load(in));
    CHECK(in.ok());
    CHECK(restored.Median() == window.Median());
  }
}

}  // namespace
}  // namespace ef::rules
