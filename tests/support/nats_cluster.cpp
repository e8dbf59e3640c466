#include "tests/support/nats_cluster.h"

#include <csignal>
#include <sstream>

#include "tests/support/net.h"
#include "tests/support/paho_connection.h"

#ifndef EF_TESTKIT_NATS_SERVER
#define EF_TESTKIT_NATS_SERVER "nats-server"
#endif

namespace ef::testkit {

NatsCluster::NatsCluster(NatsClusterOptions options)
    : options_(std::move(options)), dir_("ef-nats") {
  if (options_.executable.empty()) options_.executable = EF_TESTKIT_NATS_SERVER;
  nodes_.resize(options_.nodes);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node& node = nodes_[i];
    node.name = std::string("n").append(std::to_string(i + 1));  // not "n" + ...: -Wrestrict
    node.client_port = FreeLoopbackPort();
    node.cluster_port = FreeLoopbackPort();
    node.mqtt_port = FreeLoopbackPort();
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    dir_.Subdir("js-" + nodes_[i].name);
    WriteFile(dir_.File(nodes_[i].name + ".conf"), ConfigText(i));
  }
}

NatsCluster::~NatsCluster() {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (Running(i)) Stop(i, DeadlineIn(std::chrono::seconds(5)));
  }
}

std::string NatsCluster::ConfigText(size_t i) const {
  const Node& node = nodes_[i];
  std::ostringstream routes;
  for (size_t j = 0; j < nodes_.size(); ++j) {
    routes << (j ? ", " : "") << "nats-route://127.0.0.1:" << nodes_[j].cluster_port;
  }
  std::ostringstream conf;
  conf << "server_name: " << node.name << "\n"
       << "listen: 127.0.0.1:" << node.client_port << "\n"
       << "jetstream { store_dir: \"" << dir_.File("js-" + node.name).string() << "\" }\n"
       << "cluster {\n"
       << "  name: ef-test\n"
       << "  listen: 127.0.0.1:" << node.cluster_port
       << "\n"
       // Every node lists all routes, its own included ("Duplicate Route" lines are harmless).
       << "  routes: [" << routes.str() << "]\n"
       << "}\n"
       << "mqtt { listen: 127.0.0.1:" << node.mqtt_port << ", stream_replicas: " << nodes_.size()
       << " }\n";
  return conf.str();
}

void NatsCluster::Spawn(size_t i) {
  Node& node = nodes_[i];
  ProcessOptions spawn;
  spawn.argv = {options_.executable, "-c", dir_.File(node.name + ".conf").string()};
  spawn.log_file = dir_.File(node.name + ".log");
  node.process = std::make_unique<Process>(std::move(spawn));
}

bool NatsCluster::Restart(size_t i, Deadline deadline) {
  if (Running(i)) return false;
  Spawn(i);
  return WaitUntil(deadline, [&] {
    return nodes_[i].process->Running() && PortAcceptsConnections(nodes_[i].client_port);
  });
}

std::string NatsCluster::client_url(size_t i) const {
  return "nats://127.0.0.1:" + std::to_string(nodes_[i].client_port);
}

bool NatsCluster::Start(Deadline deadline) {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].process) return false;
    Spawn(i);
  }
  return WaitUntil(deadline, [&] {
    for (Node& node : nodes_) {
      if (!node.process->Running() || !PortAcceptsConnections(node.client_port)) return false;
    }
    return true;
  });
}

bool NatsCluster::WaitMqttReady(Deadline deadline, std::string* error) {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (!Running(i)) continue;
    bool ready = WaitUntil(
        deadline,
        [&] {
          PahoConnection probe(PahoOptions{.uri = mqtt_uri(i),
                                           .client_id = "ef-nats-probe-" + nodes_[i].name,
                                           .clean_session = true,
                                           .auto_reconnect = false,
                                           .max_inflight = 10});
          return probe.Connect(std::min(deadline, DeadlineIn(std::chrono::seconds(5))), error);
        },
        std::chrono::milliseconds(250));
    if (!ready) {
      *error = nodes_[i].name + ": " + *error;
      return false;
    }
  }
  return true;
}

void NatsCluster::Kill(size_t i) {
  if (nodes_[i].process) nodes_[i].process->Kill();
}

bool NatsCluster::Stop(size_t i, Deadline deadline) {
  Process* process = nodes_[i].process.get();
  if (process == nullptr || !process->Running()) return true;
  process->Signal(SIGTERM);
  std::optional<int> status = process->Wait(deadline);
  if (!status) process->Kill();
  return status == 0;
}

bool NatsCluster::Running(size_t i) const {
  return nodes_[i].process != nullptr && nodes_[i].process->Running();
}

std::string NatsCluster::mqtt_uri(size_t i) const {
  return "tcp://127.0.0.1:" + std::to_string(nodes_[i].mqtt_port);
}

std::string NatsCluster::Log(size_t i) const {
  return ReadFile(dir_.File(nodes_[i].name + ".log"));
}

}  // namespace ef::testkit
