#include "daemon/gateway.h"

#include <algorithm>
#include <ctime>
#include <filesystem>

#include "connectors/source_kinds.h"
#include "daemon/local_publish.h"
#include "pipeline/completeness.h"
#include "pipeline/contract/contract_stage.h"
#include "pipeline/decode/decode_stage.h"
#include "pipeline/device_activity.h"
#include "pipeline/recent_events.h"
#include "storage/sqlite_store.h"
#include "uplink/publisher_kinds.h"

namespace ef::daemon {
namespace {
constexpr char kComponent[] = "edgeferry";

std::string UtcStamp(const Clock& clock) {
  const std::time_t t = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(clock.WallNow()));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

uplink::ForwarderOptions ForwarderOptionsFor(const DaemonConfig& config, Heartbeat* heartbeat,
                                             Heartbeat* alive) {
  const uplink::UplinkConfig& up = *config.uplink;
  uplink::ForwarderOptions options;
  options.gateway_id = config.gateway.id;
  options.topic_template = up.topic;
  options.qos = static_cast<int>(up.qos);
  options.max_inflight = static_cast<size_t>(up.max_inflight);
  options.drain_timeout = std::chrono::milliseconds(up.drain_timeout_ms);
  options.batch = up.batch.value_or(uplink::BatchFormat::kNone);
  options.batch_max_events = static_cast<size_t>(up.batch_max_events);
  options.batch_linger = std::chrono::milliseconds(up.batch_linger_ms);
  options.max_message_bytes = static_cast<size_t>(up.max_message_bytes);
  options.compress_zstd = up.compression == uplink::Compression::kZstd;
  options.max_publishes_per_s = static_cast<double>(up.max_publishes_per_s);
  options.max_bytes_per_s = static_cast<double>(up.max_bytes_per_s);
  options.max_attempts = static_cast<int>(up.max_attempts);
  options.streams = config.stream_schedules;
  options.heartbeat = heartbeat;
  options.alive = alive;
  if (!up.status_topic.empty()) {
    options.status_topic = uplink::TopicTemplate(up.status_topic).Expand(config.gateway.id, {});
  }
  uplink::ApplyKind(up, options);
  return options;
}

pipeline::PipelineOptions PipelineOptionsFor(const DaemonConfig& config,
                                             const ClockSync& clock_sync, Heartbeat* heartbeat,
                                             Heartbeat* alive) {
  pipeline::PipelineOptions options;
  options.clock_sync = &clock_sync;
  options.max_events = static_cast<size_t>(config.queue.commit_max_events);
  options.interval = std::chrono::milliseconds(config.queue.commit_interval_ms);
  options.memory_events = static_cast<size_t>(config.queue.memory_events);
  options.heartbeat = heartbeat;
  options.alive = alive;
  return options;
}

}  // namespace

double SumOf(const std::vector<MetricFamily>& families, std::string_view name) {
  double total = 0;
  for (const MetricFamily& family : families) {
    if (family.name != name) continue;
    for (const MetricSeries& series : family.series) {
      if (const auto* counter = std::get_if<uint64_t>(&series.value)) total += *counter;
      if (const auto* gauge = std::get_if<double>(&series.value)) total += *gauge;
    }
  }
  return total;
}

Totals TotalsOf(const std::vector<MetricFamily>& families) {
  auto sum = [&](std::string_view name) { return static_cast<uint64_t>(SumOf(families, name)); };
  Totals t;
  t.received = sum("edgeferry_events_received_total");
  t.committed = sum("edgeferry_events_committed_total");
  t.uplinked = sum("edgeferry_events_uplinked_total");
  t.queued = sum("edgeferry_queue_events");
  t.losses.dropped = sum("edgeferry_events_dropped_total");
  t.losses.rejected = sum("edgeferry_events_rejected_total");
  t.losses.expired = sum("edgeferry_events_expired_total");
  t.losses.dead_lettered = sum("edgeferry_events_dead_lettered_total");
  return t;
}

std::string Describe(const Totals& t) {
  return "received=" + std::to_string(t.received) + " committed=" + std::to_string(t.committed) +
         " uplinked=" + std::to_string(t.uplinked) + " queued=" + std::to_string(t.queued) +
         " dead_lettered=" + std::to_string(t.losses.dead_lettered) +
         " dropped=" + std::to_string(t.losses.dropped) +
         " rejected=" + std::to_string(t.losses.rejected) +
         " expired=" + std::to_string(t.losses.expired);
}

Gateway::Gateway(const Clock& clock, const ClockSync& clock_sync, Logger& log,
                 MetricsRegistry& metrics)
    : clock_(clock), clock_sync_(clock_sync), log_(log), metrics_(metrics),
      rules_(clock, log, metrics) {}

Gateway::~Gateway() { Stop(); }

Status Gateway::Start(const DaemonConfig& config) {
  Status s = OpenStore(config);
  if (s.ok()) s = StartUplink(config);
  if (s.ok()) s = StartIngest(config);
  return s;
}

Status Gateway::OpenStore(const DaemonConfig& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.gateway.data_dir, ec);
  if (ec) return Status::IoError("cannot create " + config.gateway.data_dir + ": " + ec.message());
  storage::SqliteStoreOptions options;
  options.path = QueuePath(config);
  options.durability = config.queue.durability;
  options.max_file_bytes = static_cast<uint64_t>(config.queue.max_file_bytes);
  options.now_utc = UtcStamp(clock_);
  // After a quarantine: above the wall clock in microseconds, and above the sequence lease
  // beside the file (storage/seq_lease.h), which holds even when the clock is stale.
  options.seq_floor = static_cast<uint64_t>(std::max<int64_t>(clock_.WallMillis(), 0)) * 1000;
  std::string quarantined;
  auto store = storage::SqliteStore::Open(options, storage::ToStorePolicy(config.queue),
                                          &quarantined);
  if (!store.ok()) return store.status();
  if (!quarantined.empty()) {
    log_.Error(kComponent, "THE QUEUE DATABASE WAS DAMAGED: moved aside to " + quarantined +
                               "; started with a fresh, empty queue. Events in the damaged "
                               "file were not sent; inspect or recover it with sqlite3.");
  }
  if (const auto after = storage::WriteBehindOf(config.queue); after.count() > 0) {
    (*store)->PersistAfter(clock_, after);
  }
  sqlite_ = store->get();
  store_ = std::move(store.value());
  queue_metrics_ = std::make_unique<QueueMetrics>(*store_, clock_, metrics_);
  if (auto stats = store_->Stats(); stats.ok()) {
    writes_ = std::make_unique<WritesRecorder>(*sqlite_, clock_, stats->last_seq);
    log_.Info(kComponent, "queue " + options.path + " opened (" +
                              std::string(storage::DurabilityName(config.queue.durability)) +
                              " durability, unacknowledged events written after " +
                              std::to_string(storage::WriteBehindOf(config.queue).count()) +
                              " ms), " + std::to_string(stats->events) +
                              " events waiting from before");
  }
  return Status::Ok();
}

Status Gateway::StartUplink(const DaemonConfig& config) {
  if (!config.uplink) {
    log_.Warning(kComponent, "no [uplink] configured: events are kept in the local queue " +
                                 QueuePath(config) + " until one is");
    return Status::Ok();
  }
  publisher_ = uplink::MakePublisher(*config.uplink, config.gateway.id, clock_, log_);
  if (Status s = publisher_->Start(); !s.ok()) return s;
  forwarder_ = std::make_unique<uplink::Forwarder>(*store_, *publisher_, clock_, log_, metrics_,
                                                   ForwarderOptionsFor(config, &uplink_beat_,
                                                                       &uplink_alive_));
  forwarder_->Start();
  committed_.Attach([forwarder = forwarder_.get()] { forwarder->Wake(); });
  return Status::Ok();
}

// Finishes in-flight publishes (bounded) and disconnects; queued events stay queued.
void Gateway::StopUplink() {
  committed_.Detach();  // from here on no commit can wake the forwarder being destroyed
  if (forwarder_) forwarder_->Stop();
  if (publisher_) publisher_->Stop();
  forwarder_.reset();
  publisher_.reset();
}

Status Gateway::RestartUplink(const DaemonConfig& config) {
  StopUplink();
  return StartUplink(config);
}

// The decode stage for the MQTT sources that decode (null when none does).
static Result<std::unique_ptr<Stage>> DecodeStageFor(const DaemonConfig& config,
                                                     MetricsRegistry& metrics) {
  std::vector<pipeline::SourceDecoding> decodings;
  for (const connectors::SourceConfig& source : config.sources) {
    const auto* mqtt = std::get_if<connectors::MqttSourceConfig>(&source);
    if (mqtt != nullptr && pipeline::DecodeStage::Decodes(mqtt->decode)) {
      decodings.push_back({mqtt->name, mqtt->decode});
    }
  }
  if (decodings.empty()) return std::unique_ptr<Stage>();
  auto stage = pipeline::DecodeStage::Create(std::move(decodings), metrics);
  if (!stage.ok()) return stage.status();
  return std::unique_ptr<Stage>(std::move(stage.value()));
}

Status Gateway::StartIngest(const DaemonConfig& config) {
  std::vector<std::unique_ptr<Stage>> stages;
  auto decode = DecodeStageFor(config, metrics_);
  if (!decode.ok()) return decode.status();
  if (*decode) stages.push_back(std::move(decode.value()));
  // Always there, also without contracts, so that a reload can bring some.
  auto contracts = std::make_unique<pipeline::ContractStage>(config.contracts, metrics_);
  contracts_ = contracts.get();
  stages.push_back(std::move(contracts));
  if (config.metrics.max_devices > 0) {
    stages.push_back(std::make_unique<pipeline::DeviceActivity>(
        metrics_, static_cast<size_t>(config.metrics.max_devices)));
    if (config.completeness.enabled) {
      stages.push_back(std::make_unique<pipeline::Completeness>(
          metrics_, pipeline::ToCompletenessOptions(
                        config.completeness, static_cast<size_t>(config.metrics.max_devices))));
    }
  }
  auto rules = rules_.MakeStage(config);  // last: it sees what earlier stages decoded
  if (!rules.ok()) return rules.status();
  stages.push_back(std::move(rules.value()));
  // After the rules: outputs of rules with a `publish` topic also go to the local broker.
  rules::RulesStage* rules_stage = rules_.stage();
  stages.push_back(std::make_unique<LocalPublishStage>(
      [rules_stage](std::string_view rule) { return rules_stage->PublishTopic(rule); },
      [config, this] { return MakeLocalPublisher(config, clock_, log_); }, log_, metrics_));
  // Last: it sees the alerts of every stage before it (the rules' detectors).
  stages.push_back(std::make_unique<pipeline::RecentEvents>("alerts", alerts_));
  pipeline_ = std::make_unique<pipeline::Pipeline>(*store_, clock_, log_, metrics_, committed_,
                                                   PipelineOptionsFor(config, clock_sync_,
                                                                      &pipeline_beat_,
                                                                      &pipeline_alive_),
                                                   std::move(stages));
  if (Status s = pipeline_->Start(); !s.ok()) return s;
  const connectors::SourceContext context{clock_, log_, metrics_};
  for (const connectors::SourceConfig& source_config : config.sources) {
    std::unique_ptr<Source> source = connectors::MakeSource(source_config, context);
    if (Status s = source->Start(pipeline_->sink()); !s.ok()) return s;
    source_ptrs_.push_back(source.get());
    sources_.push_back(std::move(source));
  }
  return Status::Ok();
}

void Gateway::ReloadContracts(const DaemonConfig& config) {
  if (contracts_ != nullptr) contracts_->Replace(config.contracts);
}

bool Gateway::IngestUp() const {
  for (const auto& source : sources_) {
    if (!source->Ready()) return false;
  }
  return true;
}

void Gateway::PublishStatus(std::string payload) {
  if (forwarder_) forwarder_->PublishStatus(std::move(payload));
}

void Gateway::Govern() {
  if (pipeline_) pipeline_->Govern(source_ptrs_);
}

// Ingest first, then commit everything received, then let the uplink finish what is in
// flight. Nothing received is left uncommitted.
void Gateway::Stop() {
  for (auto& source : sources_) source->Stop();
  if (pipeline_) pipeline_->Stop();
  StopUplink();
  // Write-behind: what the cloud did not acknowledge is written now, for the next run.
  if (sqlite_ != nullptr) {
    if (Status s = sqlite_->PersistPending(); !s.ok()) {
      log_.Error(kComponent, "cannot write the unacknowledged events at shutdown: " +
                                 s.ToString());
    }
  }
  if (writes_ != nullptr) {  // the final figure, for `queue stats` after the stop
    if (auto stats = store_->Stats(); stats.ok()) (void)writes_->Save(stats->last_seq);
  }
}

void Gateway::NoteStorageWrites(const StoreStats& stats) {
  if (writes_ != nullptr) writes_->Note(stats.last_seq);
}

StatusFeeds Gateway::status_feeds() {
  StatusFeeds feeds;
  feeds.alerts = [this] { return alerts_.Latest(); };
  feeds.dead_letters = [this] {
    if (sqlite_ == nullptr) return std::vector<storage::DeadLetterRow>();
    auto rows = sqlite_->RecentDeadLetters(kRecentShown);
    return rows.ok() ? std::move(rows.value()) : std::vector<storage::DeadLetterRow>();
  };
  return feeds;
}

Totals Gateway::Collect() const { return TotalsOf(metrics_.Snapshot()); }

}  // namespace ef::daemon
