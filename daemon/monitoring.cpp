#include "daemon/monitoring.h"

namespace ef::daemon {
namespace {
constexpr char kComponent[] = "metrics";
constexpr char kPrometheusText[] = "text/plain; version=0.0.4; charset=utf-8";
constexpr char kJson[] = "application/json";
}  // namespace

Monitoring::Monitoring(const Clock& clock, Logger& log, MetricsRegistry& metrics,
                       const HealthCheck& health, const DaemonConfig& config)
    : clock_(clock), log_(log), metrics_(metrics), health_(health), config_(config.metrics),
      process_(clock, metrics) {}

Monitoring::~Monitoring() { Stop(); }

Status Monitoring::Start() {
  if (!config_.enabled) return Status::Ok();
  http::HttpServerOptions options;
  if (!ParseListenAddress(config_.listen, &options.host, &options.port)) {
    return Status::InvalidArgument("[metrics] listen: not host:port: " + config_.listen);
  }
  auto server = std::make_unique<http::HttpServer>(clock_, log_, options);
  server->Get("/metrics", [this] {
    return http::HttpResponse{200, kPrometheusText, RenderPrometheusText(metrics_.Snapshot())};
  });
  server->Get("/healthz", [this] {
    HealthVerdict verdict = health_.Check();
    return http::HttpResponse{verdict.healthy ? 200 : 503, kJson, std::move(verdict.json)};
  });
  if (Status s = server->Start(); !s.ok()) return s;
  log_.Info(kComponent, "serving /metrics and /healthz on " + options.host + ":" +
                            std::to_string(server->port()));
  server_ = std::move(server);
  return Status::Ok();
}

void Monitoring::Stop() {
  if (server_) server_->Stop();
  server_.reset();
}

}  // namespace ef::daemon
