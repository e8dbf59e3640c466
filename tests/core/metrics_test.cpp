// The registry hands out one object per series for as long as it lives, adds up exactly
// across threads, refuses bad names without throwing, and renders the Prometheus text format.
#include "core/metrics.h"

#include <doctest/doctest.h>

#include <latch>
#include <limits>
#include <thread>

namespace ef {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

const MetricFamily* FindFamily(const std::vector<MetricFamily>& families, std::string_view name) {
  for (const MetricFamily& family : families) {
    if (family.name == name) return &family;
  }
  return nullptr;
}

TEST_CASE("the same name and labels return the same object; the first help text wins") {
  MetricsRegistry registry;
  Counter& first = registry.GetCounter("ef_events_total", "Events received.");
  first.Add(2);
  // A component rebuilt at a reload asks again and keeps counting on the same object.
  Counter& again = registry.GetCounter("ef_events_total", "Other help.");
  again.Add();
  CHECK(&first == &again);
  CHECK(first.value() == 3);
  const auto families = registry.Snapshot();
  REQUIRE(families.size() == 1);
  CHECK(families[0].help == "Events received.");
  CHECK(registry.Errors().empty());
}

TEST_CASE("labels distinguish series, whatever order they are given in") {
  MetricsRegistry registry;
  Gauge& a = registry.GetGauge("ef_depth", "", {{"stream", "a"}, {"lane", "x"}});
  Gauge& b = registry.GetGauge("ef_depth", "", {{"stream", "b"}, {"lane", "x"}});
  Gauge& a_again = registry.GetGauge("ef_depth", "", {{"lane", "x"}, {"stream", "a"}});
  CHECK(&a != &b);
  CHECK(&a == &a_again);
  a.Set(4);
  a.Add(-1.5);
  const auto families = registry.Snapshot();
  REQUIRE(families.size() == 1);
  REQUIRE(families[0].series.size() == 2);
  const MetricLabels sorted{{"lane", "x"}, {"stream", "a"}};
  CHECK(families[0].series[0].labels == sorted);
  CHECK(std::get<double>(families[0].series[0].value) == 2.5);
}

TEST_CASE("CounterTotal sums a counter over its label sets") {
  MetricsRegistry registry;
  registry.GetCounter("ef_acked_total", "", {{"stream", "a"}}).Add(3);
  registry.GetCounter("ef_acked_total", "", {{"stream", "b"}}).Add(4);
  registry.GetCounter("ef_acked_total", "").Add(5);
  registry.GetGauge("ef_depth", "").Set(9);
  CHECK(registry.CounterTotal("ef_acked_total") == 12);
  CHECK(registry.CounterTotal("ef_depth") == 0);
  CHECK(registry.CounterTotal("ef_unknown") == 0);
}

TEST_CASE("updates from several threads add up exactly") {
  MetricsRegistry registry;
  Counter& counter = registry.GetCounter("ef_events_total", "");
  Gauge& gauge = registry.GetGauge("ef_inflight", "");
  constexpr int kThreads = 4;
  constexpr int kAdds = 100'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kAdds; ++i) {
        counter.Add();
        gauge.Add(1);
      }
    });
  }
  (void)registry.Snapshot();  // may run while the threads update
  for (auto& thread : threads) thread.join();
  CHECK(counter.value() == kThreads * kAdds);
  CHECK(gauge.value() == kThreads * kAdds);
}

TEST_CASE("histogram buckets count values up to and on their bound, the rest in +Inf") {
  MetricsRegistry registry;
  // Unsorted, duplicated and infinite bounds are normalised to {1, 2, 5}.
  Histogram& h = registry.GetHistogram("ef_latency_seconds", "", {5, 1, 2, 2, kInf});
  CHECK(h.upper_bounds() == std::vector<double>{1, 2, 5});
  for (double v : {0.5, 1.0, 1.5, 5.0, 7.0}) h.Observe(v);
  const HistogramValue value = h.value();
  CHECK(value.cumulative_counts == std::vector<uint64_t>{2, 3, 4, 5});
  CHECK(value.count == 5);
  CHECK(value.sum == 15.0);
  CHECK(&registry.GetHistogram("ef_latency_seconds", "", {1, 2, 5}) == &h);
}

TEST_CASE("a collector runs before every snapshot and never after its removal") {
  MetricsRegistry registry;
  Gauge& depth = registry.GetGauge("ef_queue_depth", "");
  int runs = 0;
  const auto id = registry.AddCollector([&] { depth.Set(++runs); });
  auto families = registry.Snapshot();
  CHECK(std::get<double>(families[0].series[0].value) == 1);
  registry.RemoveCollector(id);
  families = registry.Snapshot();
  CHECK(runs == 1);
  CHECK(std::get<double>(families[0].series[0].value) == 1);
  registry.RemoveCollector(id);  // unknown ids are ignored
}

TEST_CASE("RemoveCollector waits for a collector that is running") {
  MetricsRegistry registry;
  std::latch entered(1);
  std::atomic<bool> removing{false};
  std::atomic<bool> finished{false};
  const auto id = registry.AddCollector([&] {
    entered.count_down();
    removing.wait(false);
    finished = true;
  });
  std::thread snapshot([&] { (void)registry.Snapshot(); });
  entered.wait();
  removing = true;
  removing.notify_one();
  registry.RemoveCollector(id);
  CHECK(finished);
  snapshot.join();
}

TEST_CASE("a collector may register the gauges it refreshes") {
  MetricsRegistry registry;
  registry.AddCollector([&] { registry.GetGauge("ef_late", "", {{"stream", "a"}}).Set(7); });
  const auto families = registry.Snapshot();
  const MetricFamily* late = FindFamily(families, "ef_late");
  REQUIRE(late != nullptr);
  CHECK(std::get<double>(late->series[0].value) == 7);
}

TEST_CASE("the Prometheus text format, with escaped labels and help") {
  MetricsRegistry registry;
  registry.GetCounter("ef_events_total", "Events received.", {{"stream", "a\"b\\c\nd"}}).Add(3);
  registry.GetCounter("ef_bytes_total", "Bytes.").Add(10'000'000'000'000'000'000ULL);
  registry.GetGauge("ef_queue_depth", "Events waiting\nin the store \\ queue.").Set(2.5);
  Histogram& h =
      registry.GetHistogram("ef_publish_seconds", "Publish latency.", {0.1, 1}, {{"lane", "x"}});
  for (double v : {0.0625, 1.0, 5.0}) h.Observe(v);
  const std::string expected =
      "# HELP ef_bytes_total Bytes.\n"
      "# TYPE ef_bytes_total counter\n"
      "ef_bytes_total 10000000000000000000\n"
      "# HELP ef_events_total Events received.\n"
      "# TYPE ef_events_total counter\n"
      "ef_events_total{stream=\"a\\\"b\\\\c\\nd\"} 3\n"
      "# HELP ef_publish_seconds Publish latency.\n"
      "# TYPE ef_publish_seconds histogram\n"
      "ef_publish_seconds_bucket{lane=\"x\",le=\"0.1\"} 1\n"
      "ef_publish_seconds_bucket{lane=\"x\",le=\"1\"} 2\n"
      "ef_publish_seconds_bucket{lane=\"x\",le=\"+Inf\"} 3\n"
      "ef_publish_seconds_sum{lane=\"x\"} 6.0625\n"
      "ef_publish_seconds_count{lane=\"x\"} 3\n"
      "# HELP ef_queue_depth Events waiting\\nin the store \\\\ queue.\n"
      "# TYPE ef_queue_depth gauge\n"
      "ef_queue_depth 2.5\n";
  CHECK(RenderPrometheusText(registry.Snapshot()) == expected);
}

TEST_CASE("special gauge values render as Prometheus spells them") {
  MetricsRegistry registry;
  registry.GetGauge("a", "", {{"v", "nan"}}).Set(std::numeric_limits<double>::quiet_NaN());
  registry.GetGauge("a", "", {{"v", "inf"}}).Set(-kInf);
  registry.GetGauge("a", "", {{"v", "big"}}).Set(1e21);
  CHECK(RenderPrometheusText(registry.Snapshot()) ==
        "# TYPE a gauge\na{v=\"big\"} 1e+21\na{v=\"inf\"} -Inf\na{v=\"nan\"} NaN\n");
}

TEST_CASE("bad names and kind clashes are refused with a detached object and an error") {
  MetricsRegistry registry;
  Counter& good = registry.GetCounter("ef_ok:total", "");
  Counter& bad_name = registry.GetCounter("1ef", "");
  CHECK(&bad_name != &good);
  bad_name.Add();  // works, but is never reported
  (void)registry.GetCounter("ef-dash", "");
  (void)registry.GetCounter("", "");
  (void)registry.GetCounter("ef_x", "", {{"bad-label", "v"}});
  (void)registry.GetCounter("ef_x", "", {{"a:b", "v"}});
  (void)registry.GetCounter("ef_x", "", {{"__reserved", "v"}});
  (void)registry.GetCounter("ef_x", "", {{"k", "1"}, {"k", "2"}});
  (void)registry.GetHistogram("ef_h", "", {1}, {{"le", "1"}});
  (void)registry.GetGauge("ef_ok:total", "");
  (void)registry.GetHistogram("ef_h", "", {1});
  (void)registry.GetHistogram("ef_h", "", {2});
  (void)registry.GetGauge("ef-dash", "");  // a repeated mistake is reported once...
  (void)registry.GetGauge("ef-dash", "");
  const auto errors = registry.Errors();
  REQUIRE(errors.size() == 10);  // ...as its message is the same
  CHECK(errors[0] == "invalid metric name '1ef'");
  CHECK(errors[8] == "metric 'ef_ok:total' is a counter, asked for as a gauge");
  CHECK(errors[9] == "histogram 'ef_h' asked for with other bucket bounds");
  const auto families = registry.Snapshot();
  REQUIRE(families.size() == 2);
  CHECK(families[0].name == "ef_h");
  CHECK(families[1].name == "ef_ok:total");
}

}  // namespace
}  // namespace ef
