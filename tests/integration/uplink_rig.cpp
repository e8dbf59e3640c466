#include "tests/integration/uplink_rig.h"

#include <csignal>
#include <cstdlib>
#include <sstream>

#ifndef EF_EDGEFERRY_PATH
#define EF_EDGEFERRY_PATH "edgeferry"
#endif

namespace ef::testkit {

namespace {

BrokerOptions EdgeBroker() {
  BrokerOptions options;
  options.name = "edge";
  return options;
}

}  // namespace

std::string EdgeferryPath() {
  const char* override_path = std::getenv("EF_EDGEFERRY");
  return override_path && *override_path ? override_path : EF_EDGEFERRY_PATH;
}

std::string TomlStrings(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", \"" : "\"") + values[i] + "\"";
  return out + "]";
}

UplinkRig::UplinkRig()
    : dir_("ef-up"),
      edge_(EdgeBroker()),
      notify_(dir_.File("notify.sock")),
      config_file_(dir_.File("edgeferry.toml")) {
  dir_.Subdir("data");
}

UplinkRig::~UplinkRig() {
  if (daemon_) daemon_->Kill();
}

void UplinkRig::WriteConfig(const std::string& uplink_body,
                            const std::vector<EdgeSource>& sources, const std::string& tables) {
  std::ostringstream toml;
  toml << "[gateway]\n"
       << "id = \"gw-test\"\n"
       << "data_dir = \"" << dir_.File("data").string() << "\"\n\n";
  for (const EdgeSource& source : sources) {
    toml << "[[sources.mqtt]]\n"
         << "name = \"" << source.name << "\"\n"
         << "uri = \"" << edge_.uri() << "\"\n"
         << "client_id = \"edgeferry-test-" << source.name << "\"\n"
         << "topics = [\"" << source.topic_filter << "\"]\n"
         << "stream = \"" << source.stream << "\"\n"
         << "qos = 1\n\n";
  }
  // Every event written before it is sent (persist_after_ms = 0): the uplink tests count what
  // the cloud got against queue stats' last_seq, exact only then (write-behind reserves seqs
  // ahead and may lose its last persist_after_ms at a kill: write_behind_test.cpp tests that).
  toml << "[queue]\n"
       << "commit_interval_ms = 10\n"
       << "commit_max_events = 1000\n"
       << "persist_after_ms = 0\n\n"
       << "[uplink]\n"
       << uplink_body << "\n"
       << tables;
  WriteFile(config_file_, toml.str());
}

bool UplinkRig::StartDaemon(Deadline deadline, const std::string& log_level,
                            const std::map<std::string, std::string>& env) {
  if (daemon_ && daemon_->Running()) return false;
  ProcessOptions spawn;
  spawn.argv = {EdgeferryPath(),       "run",         "--config",
                config_file_.string(), "--log-level", log_level};
  spawn.env = env;
  spawn.env["NOTIFY_SOCKET"] = notify_.path().string();
  spawn.log_file = dir_.File("edgeferry.log");
  daemon_ = std::make_unique<Process>(std::move(spawn));
  // Short slices, so that a daemon dying during start-up fails the test at once.
  while (daemon_->Running()) {
    if (notify_.WaitFor("READY=1",
                        std::min(deadline, DeadlineIn(std::chrono::milliseconds(200))))) {
      return true;
    }
    if (SteadyNow() >= deadline) return false;
  }
  return false;
}

bool UplinkRig::Reload(Deadline deadline) {
  if (!DaemonRunning()) return false;
  daemon_->Signal(SIGHUP);
  return notify_.WaitFor("READY=1", deadline);
}

std::optional<int> UplinkRig::StopDaemon(Deadline deadline) {
  if (!daemon_) return std::nullopt;
  daemon_->Signal(SIGTERM);
  std::optional<int> status = daemon_->Wait(deadline);
  if (!status) daemon_->Kill();
  return status;
}

bool UplinkRig::DaemonRunning() { return daemon_ && daemon_->Running(); }

void UplinkRig::KillDaemon() {
  if (daemon_) daemon_->Kill();
}

std::string UplinkRig::DaemonLog() const { return ReadFile(dir_.File("edgeferry.log")); }

std::vector<std::string> UplinkRig::LogLines(std::string_view needle) const {
  std::vector<std::string> lines;
  std::istringstream log(DaemonLog());
  for (std::string line; std::getline(log, line);) {
    if (line.find(needle) != std::string::npos) lines.push_back(line);
  }
  return lines;
}

bool UplinkRig::WaitForLog(std::string_view needle, Deadline deadline, size_t count) const {
  return WaitUntil(
      deadline, [&] { return LogLines(needle).size() >= count; }, std::chrono::milliseconds(50));
}

std::optional<uint64_t> UplinkRig::QueuedEvents() {
  const std::filesystem::path out = dir_.File("queue-stats.out");
  std::filesystem::remove(out);
  Process stats(ProcessOptions{.argv = {EdgeferryPath(), "queue", "stats", "--data-dir",
                                        dir_.File("data").string(), "--json"},
                               .env = {},
                               .log_file = out});
  if (stats.Wait(DeadlineIn(std::chrono::seconds(20))) != 0) return std::nullopt;
  // {"events":N,...}: the first "events" key is the total.
  const std::string text = ReadFile(out);
  const size_t at = text.find("{\"events\":");
  if (at == std::string::npos) return std::nullopt;
  return std::strtoull(text.c_str() + at + 10, nullptr, 10);
}

bool UplinkRig::WaitQueued(uint64_t n, Deadline deadline) {
  return WaitUntil(
      deadline, [&] { return QueuedEvents() == n; }, std::chrono::milliseconds(100));
}

}  // namespace ef::testkit
