// The [uplink] section: where and how events go to the cloud. Absent: no uplink, events are
// kept in the local queue.
#pragma once

#include <cstdint>
#include <string>

#include "core/config.h"

namespace ef::uplink {

struct UplinkConfig {
  std::string uri;                 // Required: tcp://host:port or ssl://host:port
  std::string client_id;           // Default: "edgeferry-<gateway id>"
  std::string topic = "edgeferry/{gateway}/{stream}/{device}";  // Default topic template
  int64_t qos = 1;                 // Default: 1
  int64_t max_inflight = 100;      // Default: 100 publishes awaiting PUBACK
  int64_t drain_timeout_ms = 5000;  // Default: 5 s to finish in-flight publishes at shutdown
  int64_t keepalive_s = 30;        // Default: 30 s
  std::string username;            // Default: none
  std::string password;            // Default: none; never logged
};

void BindUplinkConfig(const ConfigNode& table, UplinkConfig& out, ConfigErrors& errors);

}  // namespace ef::uplink
