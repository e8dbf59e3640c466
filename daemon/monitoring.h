// Monitoring: the daemon's monitoring endpoints on one HTTP server (http/http_server.h),
// configured by [metrics]:
//   GET /metrics  the registry in the Prometheus text format 0.0.4
//   GET /healthz  200 {"status":"ok",...} or 503 {"status":"unhealthy","reasons":[...]}
//   GET /         the status page (daemon/status_page.h), its lists from `feeds`
// It also owns ProcessMetrics (the process_* series), so they exist even with the server off,
// and the status summary (daemon/status_summary.h) that Tick() hands to the uplink.
//
// Thread-safety: Start/Stop from the owner thread; requests are served on the server's
// threads. The registry and the health check outlive it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "daemon/daemon_config.h"
#include "daemon/health.h"
#include "daemon/process_metrics.h"
#include "daemon/status_page.h"
#include "daemon/status_summary.h"
#include "http/http_server.h"

namespace ef::daemon {

class Monitoring {
 public:
  // `feeds` gives the status page its alerts and dead letters (they must outlive it).
  Monitoring(const Clock& clock, Logger& log, MetricsRegistry& metrics,
             const HealthCheck& health, const DaemonConfig& config, StatusFeeds feeds = {});
  ~Monitoring();
  Monitoring(const Monitoring&) = delete;
  Monitoring& operator=(const Monitoring&) = delete;

  // Starts the server when [metrics] enabled it. A failure (the port is taken) is returned
  // for the caller to log; the gateway runs on without the endpoints.
  Status Start();
  void Stop();
  // Call often from the owner thread: samples the queue depths for the page every 30 s and,
  // every [metrics] summary_interval_s, gives `publish_status` the status summary.
  void Tick(const std::function<void(std::string)>& publish_status);
  // The port served, 0 when not serving.
  uint16_t port() const { return server_ ? server_->port() : 0; }

 private:
  const Clock& clock_;
  Logger& log_;
  MetricsRegistry& metrics_;
  const HealthCheck& health_;
  const MetricsConfig config_;
  const std::string gateway_id_;
  ProcessMetrics process_;
  StatusSummary summary_;
  QueueHistory history_;
  const StatusFeeds feeds_;
  Clock::TimePoint next_sample_{};
  std::unique_ptr<http::HttpServer> server_;
};

}  // namespace ef::daemon
