#include "daemon/queue_metrics.h"

#include <algorithm>

#include "daemon/storage_writes.h"

namespace ef::daemon {
namespace {

// Raises a counter to what the store recorded (counters only grow).
void CatchUp(Counter& counter, uint64_t recorded) {
  const uint64_t now = counter.value();
  if (recorded > now) counter.Add(recorded - now);
}

}  // namespace

QueueMetrics::QueueMetrics(Store& store, const Clock& clock, MetricsRegistry& metrics)
    : store_(store), clock_(clock), metrics_(metrics),
      written_(metrics.GetCounter("edgeferry_storage_written_bytes_total",
                                  "Bytes this process wrote to storage since it started.")),
      written_per_event_(metrics.GetGauge(
          "edgeferry_storage_written_bytes_per_event",
          "Bytes written to storage per event queued since start (flash wear).")),
      collector_(metrics.AddCollector([this] { Refresh(); })) {
  if (Result<StoreStats> stats = store_.Stats(); stats.ok()) start_seq_ = stats->last_seq;
}

QueueMetrics::~QueueMetrics() { metrics_.RemoveCollector(collector_); }

QueueMetrics::StreamSeries& QueueMetrics::SeriesFor(const std::string& stream) {
  auto found = series_.find(stream);
  if (found != series_.end()) return found->second;
  const MetricLabels labels = {{"stream", stream}};
  StreamSeries s{
      &metrics_.GetGauge("edgeferry_queue_events", "Events waiting in the local queue.", labels),
      &metrics_.GetGauge("edgeferry_queue_bytes", "Bytes of the events waiting.", labels),
      &metrics_.GetGauge("edgeferry_queue_oldest_age_seconds",
                         "Age of the oldest event waiting (since it was received); 0 if none.",
                         labels),
      &metrics_.GetCounter("edgeferry_events_dropped_total",
                           "Events removed by a drop_oldest bound.", labels),
      &metrics_.GetCounter("edgeferry_events_rejected_total",
                           "Events refused by a reject_new bound.", labels),
      &metrics_.GetCounter("edgeferry_events_expired_total", "Events older than their TTL.",
                           labels),
      &metrics_.GetCounter("edgeferry_events_dead_lettered_total",
                           "Events moved to the dead-letter table.", labels)};
  return series_.emplace(stream, s).first->second;
}

void QueueMetrics::Refresh() {
  Result<StoreStats> stats = store_.Stats();
  if (!stats.ok()) return;  // the figures stay as last read
  const int64_t now_ms = clock_.WallMillis();
  std::lock_guard lock(mu_);
  if (start_seq_ == UINT64_MAX) start_seq_ = stats->last_seq;
  CatchUp(written_, ProcessWriteBytes());
  const uint64_t events = stats->last_seq - start_seq_;
  written_per_event_.Set(events == 0 ? 0.0
                                     : static_cast<double>(written_.value()) /
                                           static_cast<double>(events));
  for (const StreamStats& st : stats->streams) {
    StreamSeries& s = SeriesFor(st.stream);
    s.events->Set(static_cast<double>(st.events));
    s.bytes->Set(static_cast<double>(st.bytes));
    const int64_t age_ms = st.events == 0 ? 0 : std::max<int64_t>(0, now_ms - st.oldest_ingest_ms);
    s.oldest_age->Set(static_cast<double>(age_ms) / 1000.0);
    CatchUp(*s.dropped, st.counters.dropped);
    CatchUp(*s.rejected, st.counters.rejected);
    CatchUp(*s.expired, st.counters.expired);
    CatchUp(*s.dead_lettered, st.counters.dead_lettered);
  }
}

}  // namespace ef::daemon
