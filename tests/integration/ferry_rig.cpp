#include "tests/integration/ferry_rig.h"

#include <csignal>
#include <cstdlib>
#include <sstream>

#ifndef EF_EDGEFERRY_PATH
#define EF_EDGEFERRY_PATH "edgeferry"
#endif

namespace ef::testkit {

namespace {

BrokerOptions Broker(const std::string& name, bool persistence) {
  BrokerOptions options;
  options.name = name;
  options.persistence = persistence;
  return options;
}

std::string EdgeferryBinary() {
  const char* override_path = std::getenv("EF_EDGEFERRY");
  return override_path && *override_path ? override_path : EF_EDGEFERRY_PATH;
}

}  // namespace

FerryRig::FerryRig()
    : dir_("ef-it"),
      edge_(Broker("edge", false)),
      cloud_(Broker("cloud", true)),
      notify_(dir_.File("notify.sock")),
      config_file_(dir_.File("edgeferry.toml")) {
  dir_.Subdir("data");
  WriteFile(config_file_, ConfigText());
}

FerryRig::~FerryRig() {
  if (daemon_) daemon_->Kill();
}

std::string FerryRig::ConfigText() const {
  std::ostringstream toml;
  toml << "[gateway]\n"
       << "id = \"" << kGatewayId << "\"\n"
       << "data_dir = \"" << dir_.File("data").string() << "\"\n"
       // A test host may report no NTP sync; the envelopes checked here are the normal case.
       << "clock_sync = \"assume_synced\"\n\n"
       << "[[sources.mqtt]]\n"
       << "name = \"edge\"\n"
       << "uri = \"" << edge_.uri() << "\"\n"
       << "client_id = \"edgeferry-ingest-test\"\n"
       << "topics = [\"plant/+/telemetry\"]\n"
       << "device_id_level = 1\n"
       << "qos = 1\n\n"
       << "[queue]\n"
       << "commit_interval_ms = 10\n"
       << "commit_max_events = 1000\n\n"
       << "[uplink]\n"
       << "uri = \"" << cloud_.uri() << "\"\n"
       << "client_id = \"edgeferry-uplink-test\"\n"
       << "topic = \"edgeferry/{gateway}/{stream}/{device}\"\n"
       << "qos = 1\n"
       << "max_inflight = 100\n";
  return toml.str();
}

bool FerryRig::StartBrokers(Deadline deadline) {
  return edge_.Start(deadline) && cloud_.Start(deadline);
}

bool FerryRig::StartDaemon(Deadline deadline) {
  if (daemon_ && daemon_->Running()) return false;
  ProcessOptions spawn;
  spawn.argv = {EdgeferryBinary(), "run", "--config", config_file_.string(), "--log-level", "info"};
  spawn.env = {{"NOTIFY_SOCKET", notify_.path().string()}};
  spawn.log_file = dir_.File("edgeferry.log");
  daemon_ = std::make_unique<Process>(std::move(spawn));
  // Wait in short slices so a daemon that dies during start-up fails the test at once.
  while (daemon_->Running()) {
    Deadline slice = std::min(deadline, DeadlineIn(std::chrono::milliseconds(200)));
    if (notify_.WaitFor("READY=1", slice)) return true;
    if (SteadyNow() >= deadline) return false;
  }
  return false;
}

std::optional<int> FerryRig::StopDaemon(Deadline deadline) {
  if (!daemon_) return std::nullopt;
  daemon_->Signal(SIGTERM);
  std::optional<int> status = daemon_->Wait(deadline);
  if (!status) daemon_->Kill();
  return status;
}

CollectorOptions FerryRig::CloudCollectorOptions() const {
  CollectorOptions options;
  options.uri = cloud_.uri();
  return options;
}

PublisherOptions FerryRig::EdgePublisherOptions() const {
  PublisherOptions options;
  options.uri = edge_.uri();
  return options;
}

bool FerryRig::DaemonRunning() { return daemon_ && daemon_->Running(); }

std::string FerryRig::DaemonLog(size_t tail_bytes) const {
  std::string log = ReadFile(dir_.File("edgeferry.log"));
  if (log.size() > tail_bytes) log = "...\n" + log.substr(log.size() - tail_bytes);
  return log;
}

std::string DescribeMissing(const std::vector<std::string>& missing) {
  if (missing.empty()) return "none";
  return std::to_string(missing.size()) + " missing, first: " + missing.front();
}

BackgroundPublish::BackgroundPublish(std::string uri, TelemetryWorkload workload, Deadline deadline)
    : thread_([this, uri = std::move(uri), workload, deadline] {
        TestPublisher publisher(PublisherOptions{
            .uri = uri, .client_id = "ef-test-publisher", .qos = 1, .max_inflight = 100});
        if (!publisher.Connect(deadline)) {
          error_ = "connect: " + publisher.error();
          return;
        }
        ok_ = PublishTelemetry(publisher, workload, deadline, &error_);
      }) {}

bool BackgroundPublish::Join() {
  if (thread_.joinable()) thread_.join();
  return ok_;
}

}  // namespace ef::testkit
