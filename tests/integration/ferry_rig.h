// Everything one integration test runs: an edge broker, a cloud broker (with persistence, so
// the collector's session survives a restart), an sd_notify socket, a config and a data
// directory, all in the test's own temp directory, and the edgeferry process under test.
//
// The daemon is found at EF_EDGEFERRY_PATH (set by CMake to the built target); the
// environment variable EF_EDGEFERRY overrides it. All daemon runs append to one log file.
//
// Thread-safety: not thread-safe; the test's main thread owns the rig.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "tests/integration/telemetry_workload.h"
#include "tests/support/cloud_collector.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/notify_socket.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace ef::testkit {

// The gateway id written into the test config.
inline constexpr const char* kGatewayId = "gw-test";

class FerryRig {
 public:
  FerryRig();
  ~FerryRig();  // SIGKILLs a daemon still running, then stops the brokers.

  // Starts both brokers. Returns false (see the brokers' Log()) on failure.
  bool StartBrokers(Deadline deadline);

  // Starts edgeferry with the test config and waits for READY=1 on the notify socket. Returns
  // false if the daemon exited first or the deadline passed; see DaemonLog().
  bool StartDaemon(Deadline deadline);

  // SIGTERM and wait; returns the exit status, or std::nullopt if still running at the
  // deadline (the daemon is then killed).
  std::optional<int> StopDaemon(Deadline deadline);

  // Options for a CloudCollector on the cloud broker / a TestPublisher on the edge broker.
  CollectorOptions CloudCollectorOptions() const;
  PublisherOptions EdgePublisherOptions() const;

  bool DaemonRunning();
  std::string DaemonLog(size_t tail_bytes = 4000) const;

  MosquittoBroker& edge() { return edge_; }
  MosquittoBroker& cloud() { return cloud_; }
  NotifySocket& notify() { return notify_; }
  const std::filesystem::path& config_file() const { return config_file_; }

 private:
  std::string ConfigText() const;

  TempDir dir_;
  MosquittoBroker edge_;
  MosquittoBroker cloud_;
  NotifySocket notify_;
  std::filesystem::path config_file_;
  std::unique_ptr<Process> daemon_;
};

// "none", or "N missing, first: dev-03 n=17" for a list from CloudCollector::MissingCounters.
std::string DescribeMissing(const std::vector<std::string>& missing);

// Publishes a workload from a thread of its own, so the test can break things mid-stream.
// Owns the thread: Join() (or the destructor) waits for it to finish.
class BackgroundPublish {
 public:
  BackgroundPublish(std::string uri, TelemetryWorkload workload, Deadline deadline);
  ~BackgroundPublish() = default;  // std::jthread joins

  // Waits for the thread; true if every message was published and acknowledged.
  bool Join();
  const std::string& error() const { return error_; }  // valid after Join()

 private:
  bool ok_ = false;
  std::string error_;
  std::jthread thread_;  // last: starts after the fields it writes exist
};

}  // namespace ef::testkit
