// QueueMetrics: mirrors the store's per-stream figures into the metrics registry, so that
// every total the daemon reports comes from one place. Per stream:
//   edgeferry_queue_events, edgeferry_queue_bytes (gauges: waiting for the cloud's ack)
//   edgeferry_queue_oldest_age_seconds (gauge: age of the oldest event waiting; 0 if none)
//   edgeferry_events_{dropped,rejected,expired,dead_lettered}_total (counters)
// And for the whole process (flash wear; daemon/storage_writes.h):
//   edgeferry_storage_written_bytes_total (counter: bytes written to storage since start)
//   edgeferry_storage_written_bytes_per_event (gauge: those bytes per event queued since
//   start, i.e. per sequence number issued; 0 before the first)
// The loss counters are the ones the store keeps in SQLite, so they survive restarts: after a
// restart they continue from what the queue recorded.
//
// Refresh() reads Store::Stats() (a few indexed queries); the registry calls it before each
// snapshot through a collector that the destructor removes.
//
// Thread-safety: Refresh() may run on any thread (the store is thread-safe); the owner
// constructs and destroys it.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/store.h"

namespace ef::daemon {

class QueueMetrics {
 public:
  QueueMetrics(Store& store, const Clock& clock, MetricsRegistry& metrics);
  ~QueueMetrics();
  QueueMetrics(const QueueMetrics&) = delete;
  QueueMetrics& operator=(const QueueMetrics&) = delete;

  void Refresh();

 private:
  struct StreamSeries {
    Gauge* events;
    Gauge* bytes;
    Gauge* oldest_age;
    Counter* dropped;
    Counter* rejected;
    Counter* expired;
    Counter* dead_lettered;
  };
  StreamSeries& SeriesFor(const std::string& stream);

  Store& store_;
  const Clock& clock_;
  MetricsRegistry& metrics_;
  std::mutex mu_;  // guards series_ (Refresh from the owner and from snapshots)
  std::map<std::string, StreamSeries> series_;
  Counter& written_;
  Gauge& written_per_event_;
  uint64_t start_seq_ = UINT64_MAX;  // last_seq at the first Refresh
  MetricsRegistry::CollectorId collector_;
};

}  // namespace ef::daemon
