// Which shared libraries a configuration needs at run time. The edgeferry executable loads
// Paho and libnats itself (daemon/runtime_libraries.h) so that an idle gateway does not carry
// OpenSSL: the plain Paho (libpaho-mqtt3a) unless an MQTT URI of the configuration needs TLS,
// libnats only for a JetStream uplink (libnats needs OpenSSL whatever its connection uses).
//
// Pure functions over values; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "daemon/daemon_config.h"

namespace ef::daemon {

// The two builds of Paho's asynchronous client: without TLS (libpaho-mqtt3a) and with it
// (libpaho-mqtt3as, which serves plain URIs too).
enum class MqttVariant { kPlain, kTls };

// False for the schemes Paho serves without TLS (tcp://, mqtt://, ws://); true for every
// other URI (ssl://, mqtts://, wss://, and unknown schemes: the TLS build serves them all).
bool MqttUriNeedsTls(std::string_view uri);

struct MqttChoice {
  MqttVariant variant = MqttVariant::kPlain;
  std::string reason;  // kTls: the first URI that asked for it ("uplink ssl://h:8883")
};

// Looks at every MQTT client the configuration makes: each [[sources.mqtt]] (the rules' local
// publish uses the first one's broker) and an MQTT [uplink] (uri and all of uris).
MqttChoice ChooseMqttLibrary(const DaemonConfig& config);

// True when the configuration has a NATS JetStream uplink.
bool NeedsNatsLibrary(const DaemonConfig& config);

}  // namespace ef::daemon
