#include "daemon/run.h"

#include <signal.h>
#include <memory>

#include "core/clock_watch.h"
#include "core/metrics.h"
#include "daemon/gateway.h"
#include "daemon/health.h"
#include "daemon/monitoring.h"
#include "daemon/service_notify.h"
#include "daemon/watchdog.h"
#include "storage/loss_report.h"

namespace ef::daemon {
namespace {
constexpr char kComponent[] = "edgeferry";
constexpr auto kStatsEvery = std::chrono::seconds(60);
constexpr auto kLossesEvery = std::chrono::seconds(5);

enum class Wake { kStop, kReload };

// What the main loop tends, every tick.
struct MainLoop {
  Gateway& gw;
  HealthCheck& health;
  Monitoring& monitoring;
  ClockWatch& clock_watch;
  Watchdog& watchdog;
  const Clock& clock;
  Logger& log;
};

// Waits for SIGTERM/SIGINT (stop) or SIGHUP (reload), announcing readiness once ingest is up,
// governing backpressure, watching the wall clock for steps and pinging systemd's watchdog
// every tick (100 ms), and logging totals and losses now and then.
Wake WaitForSignal(MainLoop& loop, const sigset_t& signals, bool* announced) {
  auto& [gw, health, monitoring, clock_watch, watchdog, clock, log] = loop;
  auto next_stats = clock.Now() + kStatsEvery;
  auto next_losses = clock.Now();
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
    const bool ingest_up = gw.IngestUp();
    health.SetIngestUp(ingest_up);
    health.SetUplinkExpected(gw.UplinkRunning());
    monitoring.Tick([&gw](std::string summary) { gw.PublishStatus(std::move(summary)); });
    if (!*announced && ingest_up) {
      *announced = true;
      NotifyServiceManager("READY=1\nSTATUS=ingest is up");
      log.Info(kComponent, "ingest is up");
    }
    gw.Govern();
    gw.WatchRules();
    clock_watch.Check();
    watchdog.Tick(gw.pipeline_alive(), gw.UplinkRunning() ? &gw.uplink_alive() : nullptr);
    if (clock.Now() >= next_losses) {
      next_losses = clock.Now() + kLossesEvery;
      if (auto stats = gw.store()->Stats(); stats.ok()) {
        losses.Update(*stats, log);
        gw.NoteStorageWrites(*stats);
      }
    }
    if (clock.Now() >= next_stats) {
      next_stats = clock.Now() + kStatsEvery;
      log.Info(kComponent, "totals: " + Describe(gw.Collect()));
    }
  }
}

// SIGHUP: re-reads the configuration. [uplink] (TLS files, credentials, limits), the streams'
// uplink schedule and the log level take effect at once, by restarting the uplink; the rule
// files are reloaded (invalid ones change nothing); other sections need a restart. An invalid
// file changes nothing.
void Reload(const ConfigLoader& load, const LibraryLoader& libraries, DaemonConfig& config,
            Gateway& gw, Logger& log) {
  NotifyServiceManager("RELOADING=1");
  DaemonConfig fresh;
  std::vector<std::string> errors = load(&fresh);
  if (errors.empty()) {  // the reload changes the uplink only: it is what needs libraries
    DaemonConfig next = config;
    next.uplink = fresh.uplink;
    if (Status s = libraries(next, log); !s.ok()) errors.push_back(s.message());
  }
  if (!errors.empty()) {
    for (const std::string& e : errors) log.Error(kComponent, "reload: " + e);
    log.Error(kComponent, "reload refused: the configuration has errors; running as before");
  } else {
    if (auto level = ParseLogLevel(fresh.gateway.log_level)) log.SetLevel(*level);
    gw.ReloadRules(fresh);
    config.uplink = fresh.uplink;
    config.stream_schedules = fresh.stream_schedules;
    gw.ReloadContracts(fresh);
    log.Info(kComponent, "reload: " + std::to_string(fresh.contracts.size()) +
                             " data contract(s) in use from the next group on");
    if (Status s = gw.RestartUplink(config); !s.ok()) {
      log.Error(kComponent, "reload: cannot start the uplink: " + s.ToString());
    } else {
      log.Info(kComponent, "configuration reloaded: uplink restarted (changes to sources, "
                           "gateway and queue take effect at the next start)");
    }
  }
  NotifyServiceManager("READY=1");
}

}  // namespace

int RunDaemon(const ConfigLoader& load, const LibraryLoader& libraries, Logger& log) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  DaemonConfig config;
  if (std::vector<std::string> errors = load(&config); !errors.empty()) {
    for (const std::string& e : errors) log.Error(kComponent, e);
    NotifyServiceManager("STATUS=invalid configuration");
    return 1;
  }
  log.Info(kComponent, "edgeferry " EF_VERSION " starting, gateway '" + config.gateway.id +
                           "', configuration from " + config.origin);
  if (Status s = libraries(config, log); !s.ok()) {
    log.Error(kComponent, "cannot start: " + s.message());
    NotifyServiceManager("STATUS=cannot load a library");
    return 1;
  }
  SystemClock clock;
  MetricsRegistry metrics;  // outlives the gateway and every reload
  std::unique_ptr<ClockSync> clock_source;
  if (config.gateway.clock_sync == ClockSyncMode::kAssumeSynced) {
    clock_source = std::make_unique<AssumedClockSync>();
  } else {
    clock_source = std::make_unique<SystemClockSync>();
  }
  ClockWatch clock_watch(clock, *clock_source, log, metrics);
  Gateway gw(clock, clock_watch, log, metrics);
  if (Status s = gw.Start(config); !s.ok()) {
    log.Error(kComponent, "cannot start: " + s.ToString());
    gw.Stop();
    return 1;
  }
  HealthCheck health(clock, gw.pipeline_heartbeat(), gw.uplink_heartbeat(),
                     std::chrono::seconds(config.metrics.stall_timeout_s));
  Monitoring monitoring(clock, log, metrics, health, config, gw.status_feeds());
  if (Status s = monitoring.Start(); !s.ok()) {
    log.Error(kComponent, "no /metrics and /healthz: " + s.ToString() +
                              " (the gateway runs on without them)");
  }
  Watchdog watchdog(clock, log, Watchdog::IntervalFromEnvironment(),
                    [] { NotifyServiceManager("WATCHDOG=1"); });
  MainLoop loop{gw, health, monitoring, clock_watch, watchdog, clock, log};
  bool announced = false;
  while (WaitForSignal(loop, signals, &announced) == Wake::kReload) {
    Reload(load, libraries, config, gw, log);
  }
  NotifyServiceManager("STOPPING=1");
  monitoring.Stop();
  gw.Stop();
  log.Info(kComponent, "stopped: " + Describe(gw.Collect()));
  return 0;
}

}  // namespace ef::daemon
