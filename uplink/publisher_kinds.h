// The publisher for an [uplink] `kind`, and the forwarder settings that kind implies, so that
// the daemon needs to know neither MQTT nor JetStream. Pure functions; thread-safe.
#pragma once

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/log.h"
#include "core/publisher.h"
#include "uplink/forwarder.h"
#include "uplink/uplink_config.h"

namespace ef::uplink {

// REQUIRES: ApplyUplinkProfile(config) was called. Not started yet.
std::unique_ptr<Publisher> MakePublisher(const UplinkConfig& config, const std::string& gateway_id,
                                         const Clock& clock, Logger& log);

// Where the uplink sends, for messages: the first broker URI, or the JetStream stream and
// its first server.
std::string UplinkTarget(const UplinkConfig& config);

// Sets what `config.kind` implies in `options`: for JetStream message ids, the duplicate
// window and no status topic (birth/will messages are MQTT's).
void ApplyKind(const UplinkConfig& config, ForwarderOptions& options);

}  // namespace ef::uplink
