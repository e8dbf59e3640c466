// Gateway: the object graph of a running edgeferry, built from a DaemonConfig. It holds
// components through their interfaces (Source, Store, Publisher) and connects them:
//
//   sources -> pipeline (hand-off, stages, group commit) -> store -> forwarder -> publisher
//
// Start() builds and starts them in dependency order (store, uplink, pipeline, sources);
// Stop() stops them in reverse, so that nothing received is left uncommitted: ingest stops
// first, the pipeline commits everything it holds, then the uplink finishes what is in
// flight. RestartUplink() swaps the uplink at a reload while ingest and the pipeline run on;
// the pipeline reaches the uplink only through a WakeRelay that lives as long as the gateway.
// The pipeline runs DeviceActivity (per-device last-seen gauges) and, with [completeness]
// enabled, Completeness, unless [metrics] max_devices is 0; and last, RecentEvents, which
// keeps the latest alerts for the status page (StatusFeeds()).
// Every counter goes to the MetricsRegistry the gateway is given, which outlives it and any
// reload, so the totals keep adding up.
//
// Thread-safety: one owner thread calls every method.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/clock_watch.h"
#include "core/heartbeat.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/publisher.h"
#include "core/source.h"
#include "core/store.h"
#include "core/wake.h"
#include "daemon/daemon_config.h"
#include "daemon/queue_metrics.h"
#include "daemon/rules_runtime.h"
#include "daemon/status_page.h"
#include "daemon/storage_writes.h"
#include "pipeline/contract/contract_stage.h"
#include "pipeline/pipeline.h"
#include "pipeline/recent_events.h"
#include "storage/queue_store.h"
#include "uplink/forwarder.h"

namespace ef::daemon {

// The daemon's totals, as its log lines print them: a view of the metrics registry.
struct Totals {
  uint64_t received = 0, committed = 0, uplinked = 0, queued = 0;
  StreamCounters losses;  // dropped, rejected, expired, dead_lettered over all streams
};
// The sum of every series (counters and gauges) of family `name` in a snapshot; 0 if none.
double SumOf(const std::vector<MetricFamily>& families, std::string_view name);
// The totals in a snapshot of the registry (its collectors ran: the queue figures are fresh).
Totals TotalsOf(const std::vector<MetricFamily>& families);
std::string Describe(const Totals& totals);

class Gateway {
 public:
  // How many alerts and dead letters the status page lists.
  static constexpr size_t kRecentShown = 20;

  // `clock_sync` says whether the wall clock is synchronised (the daemon's ClockWatch); it
  // must outlive the gateway.
  Gateway(const Clock& clock, const ClockSync& clock_sync, Logger& log, MetricsRegistry& metrics);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  Status Start(const DaemonConfig& config);
  // Stops the uplink (finishing what is in flight) and starts it again with `config`.
  Status RestartUplink(const DaemonConfig& config);
  // Hands the data contracts of a reloaded configuration to the pipeline, which uses them
  // from its next group on (no message lost or reordered).
  void ReloadContracts(const DaemonConfig& config);
  // True once every source is connected and subscribed.
  bool IngestUp() const;
  // Backpressure: pauses or resumes the sources by the pipeline's fill level. Call often.
  void Govern();
  void Stop();
  Totals Collect() const;
  // The store, for the loss report; null before Start().
  Store* store() { return store_.get(); }
  // Hands the bytes written to storage since the start to the queue file, for `queue stats`
  // (daemon/storage_writes.h); `stats` is the store's, read just before.
  void NoteStorageWrites(const StoreStats& stats);
  // The pipeline's and the uplink's heartbeats (core/heartbeat.h), for the health check.
  // They live as long as the gateway, across reloads.
  const Heartbeat& pipeline_heartbeat() const { return pipeline_beat_; }
  const Heartbeat& uplink_heartbeat() const { return uplink_beat_; }
  // Whether the pipeline's and the uplink's threads loop at all, for systemd's watchdog.
  const Heartbeat& pipeline_alive() const { return pipeline_alive_; }
  const Heartbeat& uplink_alive() const { return uplink_alive_; }
  // Rules (daemon/rules_runtime.h): load the rule files of `config` again (SIGHUP), or when
  // one changed; invalid files leave the running rules as they are.
  void ReloadRules(const DaemonConfig& config) { rules_.Reload(config); }
  void WatchRules() { rules_.Watch(); }
  // Hands the status summary to the uplink (its status topic); dropped without one.
  void PublishStatus(std::string payload);
  // True while an uplink runs (an [uplink] is configured and started).
  bool UplinkRunning() const { return forwarder_ != nullptr; }
  // The latest alerts and dead letters, for the status page: thread-safe, valid as long as
  // the gateway (the dead letters only after Start()).
  StatusFeeds status_feeds();

 private:
  Status OpenStore(const DaemonConfig& config);
  Status StartUplink(const DaemonConfig& config);
  void StopUplink();
  Status StartIngest(const DaemonConfig& config);

  const Clock& clock_;
  const ClockSync& clock_sync_;
  Logger& log_;
  MetricsRegistry& metrics_;
  WakeRelay committed_;  // pipeline -> forwarder; outlives both
  Heartbeat pipeline_beat_;
  Heartbeat uplink_beat_;
  Heartbeat pipeline_alive_;  // for the watchdog: looping at all (see PipelineOptions::alive)
  Heartbeat uplink_alive_;
  std::unique_ptr<Store> store_;
  storage::SqliteStore* sqlite_ = nullptr;  // store_, for its dead letters and write-behind at shutdown
  pipeline::RecentEventLog alerts_{kRecentShown};
  std::unique_ptr<QueueMetrics> queue_metrics_;
  std::unique_ptr<WritesRecorder> writes_;  // for sqlite_
  RulesRuntime rules_;  // feeds the pipeline's rules stage
  std::unique_ptr<Publisher> publisher_;
  std::unique_ptr<uplink::Forwarder> forwarder_;
  std::unique_ptr<pipeline::Pipeline> pipeline_;
  std::vector<std::unique_ptr<Source>> sources_;
  std::vector<Source*> source_ptrs_;  // for the governor
  pipeline::ContractStage* contracts_ = nullptr;  // owned by the pipeline
};

}  // namespace ef::daemon
