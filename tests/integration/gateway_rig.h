// A rig for the storage-facing integration tests (crashes, damaged files, bounds): like
// FerryRig an edge broker, a cloud broker with persistence, an sd_notify socket and the
// edgeferry process under test, all in the test's own temp directory; unlike FerryRig the test
// chooses the [queue] and [streams.*] settings, whether an [uplink] is configured at all, and
// where the data directory lives (e.g. on a small tmpfs). It also reads the queue the way an
// operator would (`edgeferry queue stats --json`) and parses the daemon's exit line.
//
// The daemon is found at EF_EDGEFERRY_PATH (set by CMake); the environment variable
// EF_EDGEFERRY overrides it. All daemon runs append to one log file.
//
// Thread-safety: not thread-safe; the test's main thread owns the rig.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "tests/support/cloud_collector.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/notify_socket.h"
#include "tests/support/process.h"
#include "tests/support/queue_stats.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_publisher.h"
#include "tests/support/wait.h"

namespace ef::testkit {

inline constexpr char kEdgeUriMark[] = "{edge_uri}";

struct GatewayOptions {
  // Lines of the [queue] table, e.g. "commit_interval_ms = 10\nmax_file_bytes = 524288\n".
  std::string queue_toml;
  // Whole [streams.NAME] tables, e.g. "[streams.telemetry]\noverflow = \"backpressure\"\n".
  std::string streams_toml;
  // More source tables after the edge MQTT source, e.g. a "[[sources.modbus]]" one. Every
  // kEdgeUriMark in it stands for the edge broker's URI.
  std::string sources_toml;
  // More lines of the [uplink] table, e.g. "max_message_bytes = 1024\n".
  std::string uplink_toml;
  // Without it the daemon keeps every event in its local queue. Default: true.
  bool uplink = true;
  // The data directory; created if missing. Default: "data" in the rig's temp directory.
  std::filesystem::path data_dir;
  // Lines of the [metrics] table. Default: "enabled = false\n", so that tests running at the
  // same time never compete for the default port.
  std::string metrics_toml = "enabled = false\n";
  // More environment for the daemon, e.g. {"WATCHDOG_USEC", "1000000"}. Default: none.
  std::map<std::string, std::string> env;
  // Whole tables of other sections, e.g. "[completeness]\nenabled = true\n".
  std::string extra_toml;
};

// The counters of the daemon's last line, "stopped: received=N committed=N ...".
struct DaemonTotals {
  uint64_t received = 0, committed = 0, uplinked = 0, queued = 0, dead_lettered = 0;
  uint64_t dropped = 0, rejected = 0, expired = 0;
};

class GatewayRig {
 public:
  explicit GatewayRig(GatewayOptions options = {});
  ~GatewayRig();  // SIGKILLs a daemon still running, then stops the brokers.

  GatewayRig(const GatewayRig&) = delete;
  GatewayRig& operator=(const GatewayRig&) = delete;

  // Rewrites the config with or without the [uplink] table, for the next StartDaemon().
  void SetUplink(bool uplink);

  // Starts both brokers. Returns false (see the brokers' Log()) on failure.
  bool StartBrokers(Deadline deadline);

  // Starts edgeferry and waits for READY=1. Returns false if the daemon exited first or the
  // deadline passed; see DaemonLog().
  bool StartDaemon(Deadline deadline);
  // SIGKILL, as a crash or power cut of the process would; reaps it.
  void KillDaemon();
  // SIGTERM and wait; the exit status, or std::nullopt (the daemon is then killed).
  std::optional<int> StopDaemon(Deadline deadline);
  // Sends `sig` (e.g. SIGHUP: reload) to the running daemon.
  void SignalDaemon(int sig);
  bool DaemonRunning();
  // The running daemon's process id (0 when none runs), e.g. to read its /proc status.
  pid_t DaemonPid() const;

  // `edgeferry queue stats --json` on the data directory; std::nullopt with *error on failure.
  std::optional<QueueStats> ReadStats(Deadline deadline, std::string* error);
  // The totals of the last "stopped:" line in the daemon log, if there is one.
  std::optional<DaemonTotals> ExitTotals() const;

  CollectorOptions CloudCollectorOptions() const;
  PublisherOptions EdgePublisherOptions() const;

  std::string DaemonLog(size_t tail_bytes = 4000) const;
  std::string FullDaemonLog() const;
  MosquittoBroker& edge() { return edge_; }
  MosquittoBroker& cloud() { return cloud_; }
  NotifySocket& notify() { return notify_; }
  const std::filesystem::path& data_dir() const { return options_.data_dir; }
  const std::filesystem::path& config_file() const { return config_file_; }

  // The edgeferry binary under test.
  static std::string EdgeferryBinary();

 private:
  std::string ConfigText() const;
  std::string WithEdgeUri(std::string toml) const;

  TempDir dir_;
  GatewayOptions options_;
  MosquittoBroker edge_;
  MosquittoBroker cloud_;
  NotifySocket notify_;
  std::filesystem::path config_file_;
  std::unique_ptr<Process> daemon_;
};

// Parses "... stopped: received=N committed=N ..." (the last such line in `log`).
std::optional<DaemonTotals> ParseExitTotals(const std::string& log);

}  // namespace ef::testkit
