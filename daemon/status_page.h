// The read-only status page at `/` of the monitoring server: plain HTML with inline SVG, no
// script, no external resource (it works offline and in any browser). It shows the health
// verdict, the uplink's state, each stream's queue depth over the last hour (a line per
// stream), the losses per stream (dead letters included), the devices with their last-seen
// time and completeness, and the latest alerts (events on the `alerts` stream, as
// pipeline/recent_events.h summarises them) and dead letters.
//
// QueueHistory keeps the depth samples: the daemon's main loop adds one every 30 s, the
// HTTP workers read them. RenderStatusPage is a pure function of what it is given.
//
// Thread-safety: QueueHistory is thread-safe; RenderStatusPage is reentrant.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "daemon/health.h"
#include "pipeline/recent_events.h"
#include "storage/sqlite_store.h"

namespace ef::daemon {

struct DepthSample {
  int64_t wall_ms = 0;
  std::map<std::string, double> events_by_stream;
};

class QueueHistory {
 public:
  explicit QueueHistory(size_t capacity = 120) : capacity_(capacity) {}
  // Adds the queue depths of `families` (edgeferry_queue_events) at `wall_ms`.
  void Add(int64_t wall_ms, const std::vector<MetricFamily>& families);
  std::vector<DepthSample> Samples() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::deque<DepthSample> samples_;
};

struct StatusPageInputs {
  std::string gateway_id;
  int64_t now_ms = 0;
  HealthVerdict health;
  std::vector<MetricFamily> families;  // a snapshot of the registry
  std::vector<DepthSample> history;  // the page adds the present (from `families`)
};

// The page's lists, newest first.
struct StatusLists {
  std::vector<pipeline::EventSummary> alerts;
  std::vector<storage::DeadLetterRow> dead_letters;
};

// Where the page gets its lists of alerts and dead letters, newest first; called on the HTTP
// server's threads, so they must be thread-safe. An empty function gives an empty list.
struct StatusFeeds {
  std::function<std::vector<pipeline::EventSummary>()> alerts;
  std::function<std::vector<storage::DeadLetterRow>()> dead_letters;
};

std::string RenderStatusPage(const StatusPageInputs& in, const StatusLists& lists = {});

}  // namespace ef::daemon
