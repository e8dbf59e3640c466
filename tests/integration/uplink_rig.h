// The rig for the uplink tests (TLS, cluster, cloud limits): an edge broker, an edgeferry
// process and its config file, in one temp dir. Unlike FerryRig, the test writes the [uplink]
// section itself (and may rewrite it for a SIGHUP reload) and brings its own cloud: a
// Mosquitto with a TLS listener, a NATS cluster, a broker behind a TcpGate.
//
// Thread-safety: not thread-safe; the test's main thread owns the rig (the daemon dies with
// the thread that started it, see process.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/mosquitto_broker.h"
#include "tests/support/notify_socket.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace ef::testkit {

// One [[sources.mqtt]] on the edge broker.
struct EdgeSource {
  std::string name;
  std::string topic_filter;
  std::string stream;
};

inline EdgeSource TelemetrySource() { return {"edge", "plant/+/telemetry", "telemetry"}; }
inline EdgeSource AlertsSource() { return {"alerts", "plant/+/alerts", "alerts"}; }

class UplinkRig {
 public:
  UplinkRig();
  ~UplinkRig();  // SIGKILLs a daemon still running; the edge broker stops with its object

  const TempDir& dir() const { return dir_; }
  MosquittoBroker& edge() { return edge_; }

  // (Re)writes the config: [gateway] (id "gw-test"), the sources on the edge broker, [queue]
  // (write-first: persist_after_ms = 0),
  // then "[uplink]\n" + `uplink_body` (TOML key = value lines), then `tables` (whole tables
  // such as [streams.telemetry]).
  void WriteConfig(const std::string& uplink_body,
                   const std::vector<EdgeSource>& sources = {TelemetrySource()},
                   const std::string& tables = "");

  // Starts edgeferry (--log-level `log_level`, `env` added to its environment) and waits for
  // READY=1. False if it exited first or the deadline passed; see DaemonLog().
  bool StartDaemon(Deadline deadline, const std::string& log_level = "info",
                   const std::map<std::string, std::string>& env = {});
  // SIGHUP, then waits for the READY=1 that ends the reload.
  bool Reload(Deadline deadline);
  // SIGTERM and wait: the exit status, or std::nullopt (then killed) at the deadline.
  std::optional<int> StopDaemon(Deadline deadline);
  bool DaemonRunning();
  // The daemon's PID (-1 before StartDaemon); valid while DaemonRunning().
  pid_t DaemonPid() const { return daemon_ ? daemon_->pid() : -1; }
  // SIGKILL the daemon and reap it: no clean shutdown, as in a crash.
  void KillDaemon();

  std::string DaemonLog() const;
  // The log lines that contain `needle`, oldest first.
  std::vector<std::string> LogLines(std::string_view needle) const;
  // Waits until at least `count` log lines contain `needle`.
  bool WaitForLog(std::string_view needle, Deadline deadline, size_t count = 1) const;

  // Events waiting in the queue, from `edgeferry queue stats --json` (read-only, safe while
  // the daemon runs); std::nullopt if the command failed.
  std::optional<uint64_t> QueuedEvents();
  // Waits until QueuedEvents() == n.
  bool WaitQueued(uint64_t n, Deadline deadline);

 private:
  TempDir dir_;
  MosquittoBroker edge_;
  NotifySocket notify_;
  std::filesystem::path config_file_;
  std::unique_ptr<Process> daemon_;
};

// The edgeferry binary under test (EF_EDGEFERRY overrides the one CMake built).
std::string EdgeferryPath();

// "a, b" -> "[\"a\", \"b\"]" for a TOML array of strings.
std::string TomlStrings(const std::vector<std::string>& values);

}  // namespace ef::testkit
