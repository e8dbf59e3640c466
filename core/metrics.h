// MetricsRegistry: the one place every component reports its counters, gauges and histograms
// through, and RenderPrometheusText(), which turns a snapshot of it into the Prometheus text
// exposition format (0.0.4).
//
// There is no global registry: the daemon creates one, passes it by reference to every
// component and keeps it across configuration reloads. A series is a metric name plus a set
// of labels. Asking for the same series again (a component rebuilt at a reload) returns the
// same object, so totals keep adding up. Every Counter, Gauge and Histogram the registry hands
// out is owned by it, never moves and lives as long as the registry: components keep the
// reference and update it on their hot path. The registry must outlive every component.
//
// Thread-safety: every method here is safe to call from any thread.
// - Get*, AddCollector and RemoveCollector take a mutex; they belong at construction time.
// - Counter::Add, Gauge::Set/Add and Histogram::Observe are lock-free relaxed atomics, cheap
//   enough for every event.
// - Snapshot() may run while other threads update. Each value is read atomically; in a
//   histogram read during Observe calls, the sum may be off by the observations in flight
//   (its count always equals the +Inf bucket).
//
// Programming errors never throw: an invalid metric or label name, or a name already
// registered as another kind (or, for a histogram, with other bounds) makes Get* return a
// detached object that works but is never reported, and the registry keeps a message that
// Errors() returns, for the daemon to log after wiring and for tests. Asking for an existing
// name with other help text is not an error: the first help text wins.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ef {

// The labels of one series as (name, value) pairs. The registry sorts them by name, so the
// order they are passed in does not matter. Label names follow Prometheus:
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__", and each at most once.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

enum class MetricKind { kCounter, kGauge, kHistogram };

// A count that only goes up (events, bytes, failures).
class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down (queue depth, connected or not).
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// What a Histogram has counted so far.
struct HistogramValue {
  std::vector<uint64_t> cumulative_counts;  // one per upper bound, then the +Inf bucket
  double sum = 0;
  uint64_t count = 0;  // always equals cumulative_counts.back()
};

// Counts observations into buckets with fixed upper bounds. A value equal to a bound counts
// in that bucket; a value above the last bound (or NaN) only in the implicit +Inf bucket.
class Histogram {
 public:
  // The bounds are sorted and deduplicated; infinite and NaN bounds are dropped.
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double v);
  const std::vector<double>& upper_bounds() const { return bounds_; }
  HistogramValue value() const;

 private:
  std::vector<double> bounds_;
  std::vector<std::atomic<uint64_t>> buckets_;  // per bucket, not cumulative; last is +Inf
  std::atomic<double> sum_{0};
};

// One series of a snapshot: its labels (sorted by name) and its value, which holds the
// alternative of its family's kind: uint64_t (counter), double (gauge) or HistogramValue.
struct MetricSeries {
  MetricLabels labels;
  std::variant<uint64_t, double, HistogramValue> value;
};

// One metric name with all its series, sorted by labels.
struct MetricFamily {
  std::string name;
  std::string help;
  MetricKind kind = MetricKind::kCounter;
  std::vector<double> upper_bounds;  // histograms only
  std::vector<MetricSeries> series;
};

class MetricsRegistry {
 public:
  using CollectorId = uint64_t;

  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Find or create the series `name` + `labels`. The same name and labels always return the
  // same object, owned by the registry. On a programming error (see above) they return a
  // detached object and record the error.
  Counter& GetCounter(std::string_view name, std::string_view help, MetricLabels labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, MetricLabels labels = {});
  // `upper_bounds` are fixed by the first call for `name`; a later call for the same name
  // with other bounds (after sorting and deduplication) is an error.
  Histogram& GetHistogram(std::string_view name, std::string_view help,
                          std::vector<double> upper_bounds, MetricLabels labels = {});
  // A counter whose value is not a whole number (CPU seconds), kept by a source that only
  // grows and mirrored with Set() (usually from a collector). It is a counter family like
  // GetCounter's; CounterTotal() does not include these series.
  Gauge& GetFractionalCounter(std::string_view name, std::string_view help,
                              MetricLabels labels = {});

  // The sum of counter `name` over all its label sets; 0 when there is no such counter.
  uint64_t CounterTotal(std::string_view name) const;

  // Registers `collect` to run at the start of every Snapshot(), to refresh gauges from a
  // component (the store's queue depth...). Collectors run one at a time, never concurrently
  // with each other, and may call Get* and update metrics.
  // REQUIRES: `collect` does not call AddCollector, RemoveCollector or Snapshot.
  CollectorId AddCollector(std::function<void()> collect);
  // Once this returns, the collector is not running and never runs again; if a snapshot is
  // running it, this waits for it to finish. Unknown ids are ignored.
  // REQUIRES: the caller holds no lock that the collector takes.
  void RemoveCollector(CollectorId id);

  // Runs the collectors, then copies every family, sorted by name.
  std::vector<MetricFamily> Snapshot() const;

  // The programming errors recorded so far, each message once, oldest first.
  std::vector<std::string> Errors() const;

 private:
  struct Family;
  Family* FindOrAddFamily(std::string_view name, std::string_view help, MetricKind kind,
                          const std::vector<double>& bounds, MetricLabels& labels);
  void RecordError(std::string message);

  mutable std::mutex mu_;  // guards families_ and errors_
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
  std::vector<std::string> errors_;
  Counter detached_counter_;
  Gauge detached_gauge_;
  Histogram detached_histogram_{{}};

  mutable std::mutex collectors_mu_;  // held while collectors run, so removal can wait
  std::vector<std::pair<CollectorId, std::function<void()>>> collectors_;
  CollectorId next_collector_ = 1;
};

// Renders `families` in the Prometheus text exposition format 0.0.4: HELP and TYPE lines,
// label values with \, " and newline escaped, histograms as _bucket (cumulative, le="+Inf"
// last), _sum and _count. Counters print as integers, other values in their shortest
// round-trip form (NaN, +Inf, -Inf as Prometheus spells them), independent of the locale.
std::string RenderPrometheusText(const std::vector<MetricFamily>& families);

// CounterByLabel: one counter family with a single label, e.g.
// edgeferry_events_committed_total{stream=...}; each label value's series is looked up in the
// registry once and then cached, so counting on a hot path costs one map lookup, no lock.
// Not thread-safe: it belongs to one thread (the registry and the counters are thread-safe).
class CounterByLabel {
 public:
  CounterByLabel(MetricsRegistry& registry, std::string name, std::string help,
                 std::string label);
  Counter& For(std::string_view value);

 private:
  MetricsRegistry& registry_;
  const std::string name_, help_, label_;
  std::map<std::string, Counter*, std::less<>> cache_;
};

}  // namespace ef
