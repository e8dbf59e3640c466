// The daemon's whole configuration: the sections of edgeferry.toml, each bound by the
// component that owns it, plus the defaults that depend on the machine (host name, state
// directory). Built once at start-up; plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/source_kinds.h"
#include "pipeline/completeness_config.h"
#include "pipeline/contract/contract.h"
#include "storage/queue_config.h"
#include "uplink/uplink_config.h"

namespace ef::daemon {

inline constexpr char kDefaultConfigPath[] = "/etc/edgeferry/edgeferry.toml";

// How edgeferry learns whether the wall clock is synchronised (core/clock_watch.h).
enum class ClockSyncMode {
  kKernel,        // the kernel's NTP state, or systemd-timesyncd's flag
  kAssumeSynced,  // trust the clock (a host whose synchronisation nothing reports)
};

struct GatewayConfig {
  std::string id;               // Default: the host name
  std::string data_dir;         // Default: $STATE_DIRECTORY, else ./edgeferry-data
  std::string log_level = "info";  // Default: "info"
  // "kernel" | "assume_synced". Default: "kernel"
  ClockSyncMode clock_sync = ClockSyncMode::kKernel;
  // Rule files (rules/README.md). Default: rules.d beside the configuration file; none with
  // the embedded defaults.
  std::string rules_dir;
  int64_t rules_max_state_bytes = 64 << 20;  // Default: 64 MiB of open windows, all rules
};

// [metrics]: the monitoring HTTP server (/metrics, /healthz, the status page).
struct MetricsConfig {
  bool enabled = true;                    // Default: true
  std::string listen = "127.0.0.1:9102";  // Default: "127.0.0.1:9102" (host:port; [v6]:port)
  int64_t stall_timeout_s = 30;           // Default: 30 s without progress = not moving
  int64_t max_devices = 1000;             // Default: 1000 devices tracked (last-seen gauges)
  int64_t summary_interval_s = 60;        // Default: 60 s between status summaries; 0 = none
};

struct DaemonConfig {
  std::string origin;  // the file it came from, or "embedded defaults"
  GatewayConfig gateway;
  std::vector<connectors::SourceConfig> sources;  // of every kind, in file order by kind
  storage::QueueConfig queue;  // [queue], and storage's keys of [streams.NAME]
  // The uplink's keys of [streams.NAME]: telemetry, aggregates, alerts unless configured.
  std::vector<uplink::StreamSchedule> stream_schedules = uplink::DefaultStreamSchedules();
  std::optional<uplink::UplinkConfig> uplink;  // nullopt: keep events locally
  MetricsConfig metrics;
  pipeline::CompletenessConfig completeness;  // [completeness]
  bool rules_dir_required = false;  // rules_dir was set explicitly: it must exist
  // [contracts] dir: the directory of data contract files (*.toml), relative to the config
  // file's directory. Default: "contracts.d"; a missing directory holds no contracts.
  std::string contracts_dir = "contracts.d";
  std::vector<pipeline::Contract> contracts;  // loaded from contracts_dir, checked
};

// Splits a [metrics] listen address "host:port" ("[::1]:9102" for IPv6) into its parts; false
// when it is not of that form or the port is not 0..65535 (0: any free port).
bool ParseListenAddress(std::string_view listen, std::string* host, uint16_t* port);

// Where the queue database of `config` lives.
inline std::string QueuePath(const DaemonConfig& config) {
  return config.gateway.data_dir + "/queue.db";
}

// Loads `path`; an empty path means kDefaultConfigPath when it exists, else the embedded
// defaults. Returns the errors as "file:line:col: message" lines (empty on success).
std::vector<std::string> LoadConfig(const std::string& path, DaemonConfig* out);

// Parses TOML text named `origin` in errors; used by LoadConfig and by tests.
std::vector<std::string> LoadConfigText(std::string_view text, const std::string& origin,
                                        DaemonConfig* out);

}  // namespace ef::daemon
