#include "daemon/run.h"

#include <signal.h>
#include <systemd/sd-daemon.h>

#include <ctime>
#include <atomic>
#include <filesystem>
#include <memory>
#include <vector>

#include "connectors/mqtt/mqtt_source.h"
#include "core/bounded_queue.h"
#include "storage/committer.h"
#include "storage/loss_report.h"
#include "storage/sqlite_store.h"
#include "uplink/forwarder.h"
#include "uplink/mqtt_publisher.h"

namespace ef::daemon {
namespace {
constexpr char kComponent[] = "edgeferry";
constexpr auto kStatsEvery = std::chrono::seconds(60);
constexpr auto kLossesEvery = std::chrono::seconds(5);

// Hands events from sources to the committer's queue, never blocking (see core/source.h).
class QueueSink final : public EventSink {
 public:
  explicit QueueSink(BoundedQueue<Event>& queue) : queue_(queue) {}
  bool Push(Event event) override { return queue_.PushNoWait(std::move(event)); }

 private:
  BoundedQueue<Event>& queue_;
};

// The components of a running gateway, in construction order; destroyed in reverse.
struct Gateway {
  SystemClock clock;
  std::unique_ptr<storage::SqliteStore> store;
  std::unique_ptr<BoundedQueue<Event>> queue;
  std::unique_ptr<QueueSink> sink;
  std::unique_ptr<uplink::MqttPublisher> publisher;
  std::unique_ptr<uplink::Forwarder> forwarder;
  std::atomic<uplink::Forwarder*> wake_target{nullptr};  // swapped when the uplink reloads
  uint64_t uplinked_before_reload = 0;
  std::unique_ptr<storage::Committer> committer;
  std::vector<std::unique_ptr<connectors::MqttSource>> sources;
  bool ingest_paused = false;
};

std::string UtcStamp(const Clock& clock) {
  const std::time_t t = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(clock.WallNow()));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

Status OpenStore(const DaemonConfig& config, Gateway& gw, Logger& log) {
  std::error_code ec;
  std::filesystem::create_directories(config.gateway.data_dir, ec);
  if (ec) return Status::IoError("cannot create " + config.gateway.data_dir + ": " + ec.message());
  storage::SqliteStoreOptions options;
  options.path = QueuePath(config);
  options.durability = config.queue.durability;
  options.max_file_bytes = static_cast<uint64_t>(config.queue.max_file_bytes);
  options.now_utc = UtcStamp(gw.clock);
  options.seq_floor = static_cast<uint64_t>(gw.clock.WallMillis()) * 1000;
  std::string quarantined;
  auto store = storage::SqliteStore::Open(options, storage::ToStorePolicy(config.queue),
                                          &quarantined);
  if (!store.ok()) return store.status();
  if (!quarantined.empty()) {
    log.Error(kComponent, "THE QUEUE DATABASE WAS DAMAGED: moved aside to " + quarantined +
                              "; started with a fresh, empty queue. Events in the damaged "
                              "file were not sent; inspect or recover it with sqlite3.");
  }
  gw.store = std::move(store.value());
  if (auto stats = gw.store->Stats(); stats.ok()) {
    log.Info(kComponent, "queue " + options.path + " opened (" +
                             std::string(storage::DurabilityName(config.queue.durability)) +
                             " durability), " + std::to_string(stats->events) +
                             " events waiting from before");
  }
  return Status::Ok();
}

uplink::ForwarderOptions ForwarderOptionsFor(const DaemonConfig& config) {
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
  return options;
}

Status StartUplink(const DaemonConfig& config, Gateway& gw, Logger& log) {
  if (!config.uplink) {
    log.Warning(kComponent, "no [uplink] configured: events are kept in the local queue " +
                                QueuePath(config) + " until one is");
    return Status::Ok();
  }
  gw.publisher = std::make_unique<uplink::MqttPublisher>(*config.uplink, config.gateway.id,
                                                         gw.clock, log);
  if (Status s = gw.publisher->Start(); !s.ok()) return s;
  gw.forwarder = std::make_unique<uplink::Forwarder>(*gw.store, *gw.publisher, gw.clock, log,
                                                     ForwarderOptionsFor(config));
  gw.forwarder->Start();
  gw.wake_target.store(gw.forwarder.get());
  return Status::Ok();
}

Status StartIngest(const DaemonConfig& config, Gateway& gw, Logger& log) {
  gw.queue = std::make_unique<BoundedQueue<Event>>(static_cast<size_t>(config.queue.memory_events));
  gw.sink = std::make_unique<QueueSink>(*gw.queue);
  storage::CommitterOptions options;
  options.max_events = static_cast<size_t>(config.queue.commit_max_events);
  options.interval = std::chrono::milliseconds(config.queue.commit_interval_ms);
  gw.committer = std::make_unique<storage::Committer>(
      *gw.queue, *gw.store, gw.clock, log, options, [&gw] {
        if (uplink::Forwarder* target = gw.wake_target.load()) target->Wake();
      });
  gw.committer->Start();
  for (const auto& source_config : config.mqtt_sources) {
    auto source = std::make_unique<connectors::MqttSource>(source_config, gw.clock, log);
    if (Status s = source->Start(*gw.sink); !s.ok()) return s;
    gw.sources.push_back(std::move(source));
  }
  return Status::Ok();
}

struct Totals {
  uint64_t received = 0, committed = 0, uplinked = 0, dead_lettered = 0, queued = 0;
  StreamCounters losses;  // dropped, rejected, expired over all streams
};

Totals Collect(Gateway& gw) {
  Totals t;
  for (const auto& source : gw.sources) t.received += source->received();
  if (gw.committer) t.committed = gw.committer->committed();
  if (gw.forwarder) {
    t.uplinked = gw.uplinked_before_reload + gw.forwarder->counters().acked;
    t.dead_lettered = gw.forwarder->counters().dead_lettered;
  }
  if (gw.store) {
    if (auto stats = gw.store->Stats(); stats.ok()) {
      t.queued = stats->events;
      for (const StreamStats& st : stats->streams) {
        t.losses.dropped += st.counters.dropped;
        t.losses.rejected += st.counters.rejected;
        t.losses.expired += st.counters.expired;
      }
    }
  }
  return t;
}

std::string Describe(const Totals& t) {
  return "received=" + std::to_string(t.received) + " committed=" + std::to_string(t.committed) +
         " uplinked=" + std::to_string(t.uplinked) + " queued=" + std::to_string(t.queued) +
         " dead_lettered=" + std::to_string(t.dead_lettered) +
         " dropped=" + std::to_string(t.losses.dropped) +
         " rejected=" + std::to_string(t.losses.rejected) +
         " expired=" + std::to_string(t.losses.expired);
}

// Finishes in-flight publishes (bounded) and disconnects; queued events stay queued.
void StopUplink(Gateway& gw) {
  gw.wake_target.store(nullptr);
  if (gw.forwarder) {
    gw.forwarder->Wake();
    gw.forwarder->Stop();
  }
  if (gw.publisher) gw.publisher->Stop();
}

// Stops in dependency order: ingest first, then commit everything received, then let the
// uplink finish what is in flight. Nothing received is left uncommitted.
void Shutdown(Gateway& gw) {
  for (auto& source : gw.sources) source->Stop();
  if (gw.queue) gw.queue->Close();
  if (gw.committer) gw.committer->Stop();
  StopUplink(gw);
}

bool AllSourcesReady(const Gateway& gw) {
  for (const auto& source : gw.sources) {
    if (!source->Ready()) return false;
  }
  return true;
}

// Backpressure with hysteresis: sources pause when the hand-off queue reaches its capacity
// (memory_events) and resume when it is down to half. Checked every tick (100 ms).
void Govern(Gateway& gw) {
  const size_t size = gw.queue->Size();
  if (!gw.ingest_paused && size >= gw.queue->capacity()) {
    gw.ingest_paused = true;
    for (auto& source : gw.sources) source->Pause();
  } else if (gw.ingest_paused && size <= gw.queue->capacity() / 2) {
    gw.ingest_paused = false;
    for (auto& source : gw.sources) source->Resume();
  }
}

enum class Wake { kStop, kReload };

// Waits for SIGTERM/SIGINT (stop) or SIGHUP (reload), announcing readiness once ingest is up
// and logging totals and losses now and then.
Wake WaitForSignal(Gateway& gw, Logger& log, const sigset_t& signals, bool* announced) {
  auto next_stats = gw.clock.Now() + kStatsEvery;
  auto next_losses = gw.clock.Now();
  storage::LossReport losses;
  const timespec tick = {0, 100'000'000};
  for (;;) {
    const int sig = sigtimedwait(&signals, nullptr, &tick);
    if (sig == SIGTERM || sig == SIGINT) {
      log.Info(kComponent, std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
                               ", stopping");
      return Wake::kStop;
    }
    if (sig == SIGHUP) return Wake::kReload;
    if (!*announced && AllSourcesReady(gw)) {
      *announced = true;
      sd_notify(0, "READY=1\nSTATUS=ingest is up");
      log.Info(kComponent, "ingest is up");
    }
    Govern(gw);
    if (gw.clock.Now() >= next_losses) {
      next_losses = gw.clock.Now() + kLossesEvery;
      if (auto stats = gw.store->Stats(); stats.ok()) losses.Update(*stats, log);
    }
    if (gw.clock.Now() >= next_stats) {
      next_stats = gw.clock.Now() + kStatsEvery;
      log.Info(kComponent, "totals: " + Describe(Collect(gw)));
    }
  }
}

// SIGHUP: re-reads the configuration. [uplink] (TLS files, credentials, limits) and the log
// level take effect at once, by restarting the uplink; other sections need a restart. An
// invalid file changes nothing.
void Reload(const ConfigLoader& load, DaemonConfig& config, Gateway& gw, Logger& log) {
  sd_notify(0, "RELOADING=1");
  DaemonConfig fresh;
  const std::vector<std::string> errors = load(&fresh);
  if (!errors.empty()) {
    for (const std::string& e : errors) log.Error(kComponent, "reload: " + e);
    log.Error(kComponent, "reload refused: the configuration has errors; running as before");
  } else {
    if (auto level = ParseLogLevel(fresh.gateway.log_level)) log.SetLevel(*level);
    config.uplink = fresh.uplink;
    config.stream_schedules = fresh.stream_schedules;
    if (gw.forwarder) gw.uplinked_before_reload += gw.forwarder->counters().acked;
    StopUplink(gw);
    gw.forwarder.reset();
    gw.publisher.reset();
    if (Status s = StartUplink(config, gw, log); !s.ok()) {
      log.Error(kComponent, "reload: cannot start the uplink: " + s.ToString());
    } else {
      log.Info(kComponent, "configuration reloaded: uplink restarted (changes to sources, "
                           "gateway and queue take effect at the next start)");
    }
  }
  sd_notify(0, "READY=1");
}

}  // namespace

int RunDaemon(const ConfigLoader& load, Logger& log) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  DaemonConfig config;
  if (std::vector<std::string> errors = load(&config); !errors.empty()) {
    for (const std::string& e : errors) log.Error(kComponent, e);
    sd_notify(0, "STATUS=invalid configuration");
    return 1;
  }
  log.Info(kComponent, "edgeferry " EF_VERSION " starting, gateway '" + config.gateway.id +
                           "', configuration from " + config.origin);
  Gateway gw;
  Status s = OpenStore(config, gw, log);
  if (s.ok()) s = StartUplink(config, gw, log);
  if (s.ok()) s = StartIngest(config, gw, log);
  if (!s.ok()) {
    log.Error(kComponent, "cannot start: " + s.ToString());
    Shutdown(gw);
    return 1;
  }
  bool announced = false;
  while (WaitForSignal(gw, log, signals, &announced) == Wake::kReload) {
    Reload(load, config, gw, log);
  }
  sd_notify(0, "STOPPING=1");
  Shutdown(gw);
  log.Info(kComponent, "stopped: " + Describe(Collect(gw)));
  return 0;
}

}  // namespace ef::daemon
