#include "tests/integration/gateway_rig.h"

#include <csignal>
#include <cstdlib>
#include <sstream>
#include <utility>

#ifndef EF_EDGEFERRY_PATH
#define EF_EDGEFERRY_PATH "edgeferry"
#endif

namespace ef::testkit {

namespace {

constexpr char kGateway[] = "gw-store";

BrokerOptions Broker(const std::string& name, bool persistence) {
  BrokerOptions options;
  options.name = name;
  options.persistence = persistence;
  return options;
}

GatewayOptions WithDataDir(GatewayOptions options, const TempDir& dir) {
  if (options.data_dir.empty()) options.data_dir = dir.File("data");
  std::filesystem::create_directories(options.data_dir);
  return options;
}

}  // namespace

GatewayRig::GatewayRig(GatewayOptions options)
    : dir_("ef-gw"),
      options_(WithDataDir(std::move(options), dir_)),
      edge_(Broker("edge", false)),
      cloud_(Broker("cloud", true)),
      notify_(dir_.File("notify.sock")),
      config_file_(dir_.File("edgeferry.toml")) {
  WriteFile(config_file_, ConfigText());
}

GatewayRig::~GatewayRig() {
  if (daemon_) daemon_->Kill();
}

std::string GatewayRig::EdgeferryBinary() {
  const char* override_path = std::getenv("EF_EDGEFERRY");
  return override_path && *override_path ? override_path : EF_EDGEFERRY_PATH;
}

std::string GatewayRig::WithEdgeUri(std::string toml) const {
  for (size_t at = toml.find(kEdgeUriMark); at != std::string::npos;
       at = toml.find(kEdgeUriMark, at)) {
    toml.replace(at, std::string_view(kEdgeUriMark).size(), edge_.uri());
  }
  return toml;
}

std::string GatewayRig::ConfigText() const {
  std::ostringstream toml;
  toml << "[gateway]\n"
       << "id = \"" << kGateway << "\"\n"
       << "data_dir = \"" << options_.data_dir.string() << "\"\n\n"
       << "[[sources.mqtt]]\n"
       << "name = \"edge\"\n"
       << "uri = \"" << edge_.uri() << "\"\n"
       << "client_id = \"edgeferry-ingest-store-test\"\n"
       << "topics = [\"plant/+/telemetry\"]\n"
       << "device_id_level = 1\n"
       << "qos = 1\n\n"
       << WithEdgeUri(options_.sources_toml) << "\n"
       << "[queue]\n"
       << options_.queue_toml << "\n"
       << options_.streams_toml << "\n"
       << "[metrics]\n"
       << options_.metrics_toml << "\n"
       << options_.extra_toml << "\n";
  if (options_.uplink) {
    toml << "[uplink]\n"
         << "uri = \"" << cloud_.uri() << "\"\n"
         << "client_id = \"edgeferry-uplink-store-test\"\n"
         << "topic = \"edgeferry/{gateway}/{stream}/{device}\"\n"
         << "qos = 1\n"
         << "max_inflight = 100\n"
         << options_.uplink_toml;
  }
  return toml.str();
}

void GatewayRig::SetUplink(bool uplink) {
  options_.uplink = uplink;
  WriteFile(config_file_, ConfigText());
}

bool GatewayRig::StartBrokers(Deadline deadline) {
  return edge_.Start(deadline) && cloud_.Start(deadline);
}

bool GatewayRig::StartDaemon(Deadline deadline) {
  if (daemon_ && daemon_->Running()) return false;
  ProcessOptions spawn;
  spawn.argv = {EdgeferryBinary(), "run", "--config", config_file_.string(), "--log-level", "info"};
  spawn.env = options_.env;
  spawn.env["NOTIFY_SOCKET"] = notify_.path().string();
  spawn.log_file = dir_.File("edgeferry.log");
  daemon_ = std::make_unique<Process>(std::move(spawn));
  // Short slices, so that a daemon dying during start-up fails the test at once.
  while (daemon_->Running()) {
    Deadline slice = std::min(deadline, DeadlineIn(std::chrono::milliseconds(200)));
    if (notify_.WaitFor("READY=1", slice)) return true;
    if (SteadyNow() >= deadline) return false;
  }
  return false;
}

void GatewayRig::KillDaemon() {
  if (daemon_) daemon_->Kill();
}

std::optional<int> GatewayRig::StopDaemon(Deadline deadline) {
  if (!daemon_) return std::nullopt;
  daemon_->Signal(SIGTERM);
  std::optional<int> status = daemon_->Wait(deadline);
  if (!status) daemon_->Kill();
  return status;
}

void GatewayRig::SignalDaemon(int sig) {
  if (daemon_) daemon_->Signal(sig);
}

bool GatewayRig::DaemonRunning() { return daemon_ && daemon_->Running(); }

std::optional<QueueStats> GatewayRig::ReadStats(Deadline deadline, std::string* error) {
  return ReadQueueStats(EdgeferryBinary(), options_.data_dir, dir_.File("queue-stats.out"),
                        deadline, error);
}

pid_t GatewayRig::DaemonPid() const { return daemon_ ? daemon_->pid() : 0; }

std::optional<DaemonTotals> GatewayRig::ExitTotals() const {
  return ParseExitTotals(FullDaemonLog());
}

CollectorOptions GatewayRig::CloudCollectorOptions() const {
  CollectorOptions options;
  options.uri = cloud_.uri();
  return options;
}

PublisherOptions GatewayRig::EdgePublisherOptions() const {
  PublisherOptions options;
  options.uri = edge_.uri();
  return options;
}

std::string GatewayRig::FullDaemonLog() const { return ReadFile(dir_.File("edgeferry.log")); }

std::string GatewayRig::DaemonLog(size_t tail_bytes) const {
  std::string log = FullDaemonLog();
  if (log.size() > tail_bytes) log = "...\n" + log.substr(log.size() - tail_bytes);
  return log;
}

std::optional<DaemonTotals> ParseExitTotals(const std::string& log) {
  const size_t at = log.rfind("stopped: received=");
  if (at == std::string::npos) return std::nullopt;
  std::istringstream line(log.substr(at + 9, log.find('\n', at) - at - 9));
  DaemonTotals totals;
  const std::pair<const char*, uint64_t*> keys[] = {
      {"received", &totals.received},           {"committed", &totals.committed},
      {"uplinked", &totals.uplinked},           {"queued", &totals.queued},
      {"dead_lettered", &totals.dead_lettered}, {"dropped", &totals.dropped},
      {"rejected", &totals.rejected},           {"expired", &totals.expired}};
  size_t found = 0;
  for (std::string word; line >> word;) {
    const size_t eq = word.find('=');
    if (eq == std::string::npos) continue;
    for (const auto& [key, target] : keys) {
      if (word.compare(0, eq, key) != 0 || eq != std::string(key).size()) continue;
      *target = std::stoull(word.substr(eq + 1));
      ++found;
    }
  }
  if (found != std::size(keys)) return std::nullopt;
  return totals;
}

}  // namespace ef::testkit
