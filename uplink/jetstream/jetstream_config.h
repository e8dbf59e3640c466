// The [uplink.jetstream] table: where a `kind = "jetstream"` uplink publishes (a NATS
// JetStream stream), how it authenticates, and whether it may create the stream.
//
// The rest of [uplink] applies as for MQTT: `topic` is the subject template ({gateway},
// {stream}, {device}; default "edgeferry.{gateway}.{stream}"), `username`/`password`,
// `ca_file`/`cert_file`/`key_file`, `batch`, `max_inflight` (the async publish window),
// `max_attempts`. Plain data; binding is not thread-safe, a bound config is immutable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/config.h"

namespace ef::uplink {

enum class JetStreamStorage { kFile, kMemory };

struct JetStreamConfig {
  std::vector<std::string> servers;     // Required: nats://host:port or tls://host:port, a
                                        // cluster's nodes (libnats tries them in turn)
  std::string stream;                   // Required: the JetStream stream name
  // True: edgeferry creates the stream when it does not exist (with the settings below);
  // false: it must exist, and publishing waits (and says so) until it does.
  bool create_stream = false;           // Default: false
  std::vector<std::string> subjects;    // Default: the topic template with every placeholder
                                        // as "*" (only when creating)
  int64_t duplicate_window_s = 120;     // Default: 120 s (JetStream's own default)
  int64_t replicas = 1;                 // Default: 1 (only when creating)
  JetStreamStorage storage = JetStreamStorage::kFile;  // Default: file | memory
  int64_t ack_timeout_ms = 5000;        // Default: 5 s per message; then it counts as unsent
  std::string nkey;                     // Default: none; the user's NKey public key (U...)
  std::string nkey_seed_file;           // Default: none; its seed (SU...) file
  std::string creds_file;               // Default: none; a user JWT + seed .creds file
};

// Binds [uplink.jetstream] into `out`; errors (file:line:col) go to `errors`.
void BindJetStreamConfig(const ConfigNode& table, JetStreamConfig& out, ConfigErrors& errors);

// The subjects a created stream listens on by default: `topic` with each {placeholder} as "*".
std::string SubjectFilterOf(const std::string& topic);

}  // namespace ef::uplink
