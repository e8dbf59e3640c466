// Self-ingest check: an MQTT source subscribed, on the broker the uplink publishes to, to a
// filter that matches the uplink's own topics (events, status) would ingest what edgeferry
// sends, and send it again, for ever. LoadConfigText refuses such a configuration, so both
// `edgeferry check` and the daemon report it, at the offending topic filter.
//
// Brokers are the same when host (localhost, 127.0.0.1 and ::1 are one) and port agree.
// The uplink topic's {gateway} is the gateway id; its other placeholders match any level.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/config.h"
#include "daemon/daemon_config.h"

namespace ef::daemon {

// Adds an error for every source topic filter that matches an uplink topic on the same broker;
// `root` is the parsed file (for the positions).
void CheckSelfIngest(const DaemonConfig& config, const ConfigNode& root, ConfigErrors& errors);

// "host:port" of an MQTT URI (tcp:// 1883, ssl:// 8883 by default), loopback names unified.
std::string BrokerKey(const std::string& uri);

// The uplink topic template as a topic filter: {gateway} filled in, other {...} as "+".
std::string TemplateAsFilter(const std::string& topic_template, const std::string& gateway_id);

}  // namespace ef::daemon
