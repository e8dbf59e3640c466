// A NATS cluster with JetStream and MQTT listeners on 127.0.0.1, for one test: N `nats-server`
// processes (Debian's 2.9) routed to each other, each with its own client, cluster and MQTT
// port and JetStream directory in a private temp dir. MQTT sessions live in JetStream with
// `stream_replicas` = N, so a persistent-session subscriber survives the loss of any one node.
//
// Ports are chosen once at construction. Start() returns once every node accepts TCP on its
// client port; the cluster is only usable for MQTT after JetStream elected its leaders, which
// WaitMqttReady() waits for (an MQTT CONNECT succeeds on every node).
//
// Thread-safety: not thread-safe; one thread owns a cluster. Create it on the test's main
// thread (the processes die with the thread that forked them, see process.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace ef::testkit {

struct NatsClusterOptions {
  size_t nodes = 3;        // Default: 3
  std::string executable;  // Default: found by CMake (EF_TESTKIT_NATS_SERVER), else nats-server
};

class NatsCluster {
 public:
  explicit NatsCluster(NatsClusterOptions options = {});
  ~NatsCluster();  // SIGTERM, then SIGKILL, every node still running

  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;

  // Starts every node and waits until each accepts connections on its client port. Returns
  // false if a node exited or the deadline passed; see Log().
  bool Start(Deadline deadline);

  // Waits until an MQTT CONNECT (clean session, its own client id) succeeds on every running
  // node. False at the deadline, with the last failure in *error.
  bool WaitMqttReady(Deadline deadline, std::string* error);

  // SIGKILL node `i` (0-based) and reap it: no clean shutdown, as in a crash.
  void Kill(size_t i);
  // SIGTERM node `i` and wait for it to exit; true on a clean exit before the deadline.
  bool Stop(size_t i, Deadline deadline);
  // Starts node `i` again (after Kill or Stop), with its JetStream directory as it was; waits
  // until it accepts connections on its client port.
  bool Restart(size_t i, Deadline deadline);

  size_t size() const { return nodes_.size(); }
  bool Running(size_t i) const;
  uint16_t mqtt_port(size_t i) const { return nodes_[i].mqtt_port; }
  std::string mqtt_uri(size_t i) const;
  std::string client_url(size_t i) const;  // nats://127.0.0.1:<client port>
  const std::string& name(size_t i) const { return nodes_[i].name; }  // server_name: n1, ...
  std::string Log(size_t i) const;

 private:
  struct Node {
    std::string name;  // n1, n2, ...
    uint16_t client_port = 0, cluster_port = 0, mqtt_port = 0;
    std::unique_ptr<Process> process;
  };
  std::string ConfigText(size_t i) const;
  void Spawn(size_t i);

  NatsClusterOptions options_;
  TempDir dir_;
  std::vector<Node> nodes_;
};

}  // namespace ef::testkit
