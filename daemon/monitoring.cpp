#include "daemon/monitoring.h"

namespace ef::daemon {
namespace {
constexpr char kComponent[] = "metrics";
constexpr char kPrometheusText[] = "text/plain; version=0.0.4; charset=utf-8";
constexpr char kJson[] = "application/json";
constexpr char kHtml[] = "text/html; charset=utf-8";
constexpr auto kSampleEvery = std::chrono::seconds(30);
}  // namespace

Monitoring::Monitoring(const Clock& clock, Logger& log, MetricsRegistry& metrics,
                       const HealthCheck& health, const DaemonConfig& config,
                       StatusFeeds feeds)
    : clock_(clock), log_(log), metrics_(metrics), health_(health), config_(config.metrics),
      gateway_id_(config.gateway.id), process_(clock, metrics),
      summary_(clock, config.uplink ? config.uplink->client_id : config.gateway.id,
               std::chrono::seconds(config.metrics.summary_interval_s)),
      feeds_(std::move(feeds)) {}

void Monitoring::Tick(const std::function<void(std::string)>& publish_status) {
  if (summary_.Due()) publish_status(summary_.Build(metrics_.Snapshot(), health_.Check().healthy));
  if (!config_.enabled || clock_.Now() < next_sample_) return;
  next_sample_ = clock_.Now() + kSampleEvery;
  history_.Add(clock_.WallMillis(), metrics_.Snapshot());
}

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
  server->Get("/", [this] {
    StatusPageInputs page{gateway_id_, clock_.WallMillis(), health_.Check(), metrics_.Snapshot(),
                          history_.Samples()};
    StatusLists lists;
    if (feeds_.alerts) lists.alerts = feeds_.alerts();
    if (feeds_.dead_letters) lists.dead_letters = feeds_.dead_letters();
    return http::HttpResponse{200, kHtml, RenderStatusPage(page, lists)};
  });
  if (Status s = server->Start(); !s.ok()) return s;
  log_.Info(kComponent, "serving /metrics, /healthz and the status page on " + options.host + ":" +
                            std::to_string(server->port()));
  server_ = std::move(server);
  return Status::Ok();
}

void Monitoring::Stop() {
  if (server_) server_->Stop();
  server_.reset();
}

}  // namespace ef::daemon
