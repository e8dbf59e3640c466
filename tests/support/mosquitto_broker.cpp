#include "tests/support/mosquitto_broker.h"

#include <csignal>
#include <sstream>

#include "tests/support/net.h"

#ifndef EF_TESTKIT_MOSQUITTO
#define EF_TESTKIT_MOSQUITTO "mosquitto"
#endif

namespace ef::testkit {

MosquittoBroker::MosquittoBroker(BrokerOptions options)
    : options_(std::move(options)), dir_("ef-" + options_.name), port_(FreeLoopbackPort()) {
  if (options_.executable.empty()) options_.executable = EF_TESTKIT_MOSQUITTO;
  if (options_.persistence) dir_.Subdir("persist");
  WriteFile(dir_.File("mosquitto.conf"), ConfigText());
}

MosquittoBroker::~MosquittoBroker() {
  if (process_) Stop(DeadlineIn(std::chrono::seconds(5)));
}

std::string MosquittoBroker::ConfigText() const {
  std::ostringstream conf;
  if (options_.per_listener_settings) {
    // Authentication settings then belong to the listener they follow.
    conf << "per_listener_settings true\n"
         << "listener " << port_ << " 127.0.0.1\n"
         << "allow_anonymous true\n";
  } else {
    conf << "per_listener_settings false\n"
         << "allow_anonymous true\n"
         << "listener " << port_ << " 127.0.0.1\n";
  }
  // Unlimited queues: Mosquitto's defaults silently drop QoS 1 messages for slow clients.
  conf << "max_queued_messages 0\n"
       << "max_inflight_messages 0\n"
       // Tests run as root; without this Mosquitto drops to a user that cannot write here.
       << "user root\n"
       << "log_dest stderr\n";
  if (options_.persistence) {
    // The snapshot that matters is the one written on SIGTERM; autosave only bounds the loss
    // if a test ever kills the broker instead.
    conf << "persistence true\n"
         << "persistence_location " << dir_.File("persist").string() << "/\n"
         << "autosave_interval 30\n";
  } else {
    conf << "persistence false\n";
  }
  for (const auto& line : options_.extra_config) conf << line << "\n";
  return conf.str();
}

bool MosquittoBroker::Start(Deadline deadline) {
  if (process_) return false;
  ProcessOptions spawn;
  spawn.argv = {options_.executable, "-c", dir_.File("mosquitto.conf").string()};
  spawn.log_file = dir_.File("mosquitto.log");
  process_ = std::make_unique<Process>(std::move(spawn));
  bool listening =
      WaitUntil(deadline, [&] { return !process_->Running() || PortAcceptsConnections(port_); });
  if (listening && process_->Running()) return true;
  process_->Kill();
  process_.reset();
  return false;
}

bool MosquittoBroker::Stop(Deadline deadline) {
  if (!process_) return true;
  process_->Signal(SIGTERM);
  std::optional<int> status = process_->Wait(deadline);
  if (!status) process_->Kill();
  process_.reset();
  return status == 0;
}

void MosquittoBroker::Signal(int sig) {
  if (process_) process_->Signal(sig);
}

bool MosquittoBroker::Restart(Deadline deadline) { return Stop(deadline) && Start(deadline); }

std::string MosquittoBroker::Log() const { return ReadFile(dir_.File("mosquitto.log")); }

}  // namespace ef::testkit
