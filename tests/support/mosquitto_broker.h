// A Mosquitto 2.0 broker on 127.0.0.1 for one test, configured so that it never drops QoS 1
// messages (max_queued_messages 0, max_inflight_messages 0) and, optionally, keeps sessions and
// queued messages across a Stop()/Start() (persistence: a snapshot written on SIGTERM).
//
// The broker owns a private temp directory that holds its config, its log (stdout and stderr
// of every run, appended) and its persistence database. The port is chosen once at
// construction and kept by Restart(), so clients can reconnect to the same URI.
//
// Thread-safety: not thread-safe; one thread owns a broker. uri() and port() are constant and
// may be read from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace ef::testkit {

struct BrokerOptions {
  // Name used for the temp directory and in messages. Default: "broker".
  std::string name = "broker";
  // Keep sessions (subscriptions, queued QoS 1 messages) across Stop()/Start(). Default: false.
  bool persistence = false;
  // true: `per_listener_settings true`, with `allow_anonymous true` for the plain listener, so
  // that extra_config can add listeners with their own authentication (e.g. a TLS listener
  // with require_certificate and allow_anonymous false) while tests still use the plain one.
  // Default: false.
  bool per_listener_settings = false;
  // Extra lines appended to the generated config. Default: none.
  std::vector<std::string> extra_config;
  // The broker binary. Default: found by CMake (EF_TESTKIT_MOSQUITTO), else "mosquitto".
  std::string executable;
};

class MosquittoBroker {
 public:
  // Picks a free loopback port and writes the config. Does not start the broker.
  explicit MosquittoBroker(BrokerOptions options = {});
  ~MosquittoBroker();  // SIGTERM, then SIGKILL if it has not exited within 5 s.

  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  // Starts mosquitto and waits until its port accepts TCP connections. Returns false if the
  // broker exited (e.g. port taken) or did not listen before `deadline`; see Log().
  // REQUIRES: not running.
  bool Start(Deadline deadline);

  // SIGTERM and wait for a clean exit (which also writes the persistence snapshot). Returns
  // true if it exited with status 0 before `deadline`; otherwise kills it and returns false.
  bool Stop(Deadline deadline);

  // Stop() then Start() on the same port with the same persistence directory.
  bool Restart(Deadline deadline);

  // Sends `sig` to the running broker (SIGSTOP freezes it with its connections open).
  void Signal(int sig);
  bool Running() const { return process_ != nullptr; }
  uint16_t port() const { return port_; }
  std::string uri() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  std::string Log() const;

 private:
  std::string ConfigText() const;

  BrokerOptions options_;
  TempDir dir_;
  uint16_t port_;
  std::unique_ptr<Process> process_;
};

}  // namespace ef::testkit
