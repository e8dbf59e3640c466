#include "core/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace ef {
namespace {

std::vector<double> NormalizeBounds(std::vector<double> bounds) {
  // +Inf is always the last bucket, and NaN would break the ordering Observe relies on.
  std::erase_if(bounds, [](double b) { return !std::isfinite(b); });
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  return bounds;
}

// Metric names may contain ':' (reserved for recording rules, still valid); label names not.
bool ValidName(std::string_view name, bool colon_allowed) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon_allowed && c == ':');
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

const char* KindName(MetricKind kind) {
  switch (kind) {
    case MetricKind::kCounter:
      return "counter";
    case MetricKind::kGauge:
      return "gauge";
    case MetricKind::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// Sorts `labels` by name and returns what is wrong with the series, or "" when nothing is.
std::string CheckSeries(std::string_view name, MetricKind kind, MetricLabels& labels) {
  if (!ValidName(name, true)) return "invalid metric name '" + std::string(name) + "'";
  std::sort(labels.begin(), labels.end());
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::string& label = labels[i].first;
    const std::string where = "' on metric '" + std::string(name) + "'";
    if (!ValidName(label, false) || label.starts_with("__")) {
      return "invalid label name '" + label + where;
    }
    if (i > 0 && labels[i - 1].first == label) return "label '" + label + "' given twice" + where;
    // The renderer adds "le" to every bucket line.
    if (kind == MetricKind::kHistogram && label == "le") return "reserved label 'le" + where;
  }
  return {};
}

template <typename Series>
void CopySeries(const std::map<MetricLabels, Series>& from, std::vector<MetricSeries>* to) {
  for (const auto& [labels, series] : from) to->push_back({labels, series.value()});
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(NormalizeBounds(std::move(upper_bounds))), buckets_(bounds_.size() + 1) {}

void Histogram::Observe(double v) {
  // The first bound >= v: a value on a bound counts in that bucket ("le"); NaN matches no
  // bound and goes to +Inf, as in the Prometheus clients.
  size_t index = bounds_.size();
  if (!std::isnan(v)) {
    index =
        static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  }
  buckets_[index].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

HistogramValue Histogram::value() const {
  // count is derived from the buckets so that it always equals the +Inf bucket.
  HistogramValue out;
  out.cumulative_counts.reserve(buckets_.size());
  for (const auto& bucket : buckets_) {
    out.count += bucket.load(std::memory_order_relaxed);
    out.cumulative_counts.push_back(out.count);
  }
  out.sum = sum_.load(std::memory_order_relaxed);
  return out;
}

// std::map nodes never move, which is what keeps the addresses handed out stable.
struct MetricsRegistry::Family {
  std::string help;
  MetricKind kind = MetricKind::kCounter;
  std::vector<double> bounds;
  std::map<MetricLabels, Counter> counters;
  std::map<MetricLabels, Gauge> fractional_counters;
  std::map<MetricLabels, Gauge> gauges;
  std::map<MetricLabels, Histogram> histograms;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

Counter& MetricsRegistry::GetCounter(std::string_view name, std::string_view help,
                                     MetricLabels labels) {
  std::lock_guard lock(mu_);
  Family* family = FindOrAddFamily(name, help, MetricKind::kCounter, {}, labels);
  if (family == nullptr) return detached_counter_;
  return family->counters.try_emplace(std::move(labels)).first->second;
}

Gauge& MetricsRegistry::GetFractionalCounter(std::string_view name, std::string_view help,
                                             MetricLabels labels) {
  std::lock_guard lock(mu_);
  Family* family = FindOrAddFamily(name, help, MetricKind::kCounter, {}, labels);
  if (family == nullptr) return detached_gauge_;
  return family->fractional_counters.try_emplace(std::move(labels)).first->second;
}

Gauge& MetricsRegistry::GetGauge(std::string_view name, std::string_view help,
                                 MetricLabels labels) {
  std::lock_guard lock(mu_);
  Family* family = FindOrAddFamily(name, help, MetricKind::kGauge, {}, labels);
  if (family == nullptr) return detached_gauge_;
  return family->gauges.try_emplace(std::move(labels)).first->second;
}

Histogram& MetricsRegistry::GetHistogram(std::string_view name, std::string_view help,
                                         std::vector<double> upper_bounds, MetricLabels labels) {
  const std::vector<double> bounds = NormalizeBounds(std::move(upper_bounds));
  std::lock_guard lock(mu_);
  Family* family = FindOrAddFamily(name, help, MetricKind::kHistogram, bounds, labels);
  if (family == nullptr) return detached_histogram_;
  return family->histograms.try_emplace(std::move(labels), bounds).first->second;
}

// REQUIRES: mu_ is held.
MetricsRegistry::Family* MetricsRegistry::FindOrAddFamily(std::string_view name,
                                                          std::string_view help, MetricKind kind,
                                                          const std::vector<double>& bounds,
                                                          MetricLabels& labels) {
  if (std::string error = CheckSeries(name, kind, labels); !error.empty()) {
    RecordError(std::move(error));
    return nullptr;
  }
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto family = std::make_unique<Family>();
    family->help = help;
    family->kind = kind;
    family->bounds = bounds;
    it = families_.emplace(std::string(name), std::move(family)).first;
  }
  Family& family = *it->second;
  if (family.kind != kind) {
    RecordError("metric '" + std::string(name) + "' is a " + KindName(family.kind) +
                ", asked for as a " + KindName(kind));
    return nullptr;
  }
  if (family.bounds != bounds) {
    RecordError("histogram '" + std::string(name) + "' asked for with other bucket bounds");
    return nullptr;
  }
  return &family;
}

// REQUIRES: mu_ is held. Each message is kept once, so a daemon that repeats the same
// mistake at every reload does not grow the list.
void MetricsRegistry::RecordError(std::string message) {
  if (std::find(errors_.begin(), errors_.end(), message) == errors_.end()) {
    errors_.push_back(std::move(message));
  }
}

uint64_t MetricsRegistry::CounterTotal(std::string_view name) const {
  std::lock_guard lock(mu_);
  const auto it = families_.find(name);
  if (it == families_.end()) return 0;
  uint64_t total = 0;
  for (const auto& [labels, counter] : it->second->counters) total += counter.value();
  return total;
}

MetricsRegistry::CollectorId MetricsRegistry::AddCollector(std::function<void()> collect) {
  std::lock_guard lock(collectors_mu_);
  const CollectorId id = next_collector_++;
  collectors_.emplace_back(id, std::move(collect));
  return id;
}

void MetricsRegistry::RemoveCollector(CollectorId id) {
  // Snapshot holds collectors_mu_ while collectors run, so taking it waits for a running one.
  std::lock_guard lock(collectors_mu_);
  std::erase_if(collectors_, [id](const auto& entry) { return entry.first == id; });
}

std::vector<MetricFamily> MetricsRegistry::Snapshot() const {
  {
    // Not under mu_: a collector may register the gauges it refreshes.
    std::lock_guard lock(collectors_mu_);
    for (const auto& [id, collect] : collectors_) collect();
  }
  std::lock_guard lock(mu_);
  std::vector<MetricFamily> out;
  out.reserve(families_.size());
  for (const auto& [name, family] : families_) {
    MetricFamily& copy = out.emplace_back();
    copy.name = name;
    copy.help = family->help;
    copy.kind = family->kind;
    copy.upper_bounds = family->bounds;
    CopySeries(family->counters, &copy.series);
    CopySeries(family->fractional_counters, &copy.series);
    CopySeries(family->gauges, &copy.series);
    CopySeries(family->histograms, &copy.series);
  }
  return out;
}

std::vector<std::string> MetricsRegistry::Errors() const {
  std::lock_guard lock(mu_);
  return errors_;
}

namespace {

// Shortest round-trip form, never locale-dependent (the daemon may run under de_DE).
std::string FormatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), v);
  return std::string(buffer, result.ptr);
}

// HELP text escapes \ and newline; label values also escape ".
void AppendEscaped(std::string& out, std::string_view text, bool escape_quote) {
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// One sample line: name{labels,le="..."} value. `le` is empty except on bucket lines.
void AppendSample(std::string& out, std::string_view name, const MetricLabels& labels,
                  std::string_view le, std::string_view value) {
  out += name;
  char separator = '{';
  for (const auto& [label, label_value] : labels) {
    out += separator;
    out += label;
    out += "=\"";
    AppendEscaped(out, label_value, true);
    out += '"';
    separator = ',';
  }
  if (!le.empty()) {
    out += separator;
    out += "le=\"";
    out += le;
    out += '"';
  }
  if (separator == ',' || !le.empty()) out += '}';
  out += ' ';
  out += value;
  out += '\n';
}

// Writes one series according to the value it holds, so a hand-built family whose kind and
// values disagree still renders without throwing.
struct SeriesWriter {
  std::string& out;
  const MetricFamily& family;
  const MetricLabels& labels;

  void operator()(uint64_t v) const {
    AppendSample(out, family.name, labels, {}, std::to_string(v));
  }
  void operator()(double v) const { AppendSample(out, family.name, labels, {}, FormatDouble(v)); }
  void operator()(const HistogramValue& h) const {
    const std::string& name = family.name;
    for (size_t i = 0; i < h.cumulative_counts.size(); ++i) {
      const bool bounded = i < family.upper_bounds.size();
      const std::string le = bounded ? FormatDouble(family.upper_bounds[i]) : "+Inf";
      AppendSample(out, name + "_bucket", labels, le, std::to_string(h.cumulative_counts[i]));
    }
    AppendSample(out, name + "_sum", labels, {}, FormatDouble(h.sum));
    AppendSample(out, name + "_count", labels, {}, std::to_string(h.count));
  }
};

}  // namespace

std::string RenderPrometheusText(const std::vector<MetricFamily>& families) {
  std::string out;
  for (const MetricFamily& family : families) {
    if (!family.help.empty()) {
      out += "# HELP " + family.name + ' ';
      AppendEscaped(out, family.help, false);
      out += '\n';
    }
    out += "# TYPE " + family.name + ' ' + KindName(family.kind) + '\n';
    for (const MetricSeries& series : family.series) {
      std::visit(SeriesWriter{out, family, series.labels}, series.value);
    }
  }
  return out;
}

CounterByLabel::CounterByLabel(MetricsRegistry& registry, std::string name, std::string help,
                               std::string label)
    : registry_(registry), name_(std::move(name)), help_(std::move(help)),
      label_(std::move(label)) {}

Counter& CounterByLabel::For(std::string_view value) {
  auto it = cache_.find(value);
  if (it == cache_.end()) {
    Counter& counter = registry_.GetCounter(name_, help_, {{label_, std::string(value)}});
    it = cache_.emplace(std::string(value), &counter).first;
  }
  return *it->second;
}

}  // namespace ef
