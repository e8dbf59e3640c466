#include "uplink/uplink_config.h"

#include <array>

#include "core/config_bind.h"
#include "uplink/envelope.h"

namespace ef::uplink {
namespace {

std::string CheckTemplate(const ConfigNode& node) {
  return TopicTemplate::Validate(std::get<std::string>(node.scalar));
}

const std::array<ConfigField<UplinkConfig>, 9> kFields = {{
    {"uri", &UplinkConfig::uri, true, CheckMqttUri},
    {"client_id", &UplinkConfig::client_id, false, CheckNonEmpty},
    {"topic", &UplinkConfig::topic, false, CheckTemplate},
    {"qos", &UplinkConfig::qos, false, CheckQos01},
    {"max_inflight", &UplinkConfig::max_inflight, false, CheckPositive},
    {"drain_timeout_ms", &UplinkConfig::drain_timeout_ms, false, CheckPositive},
    {"keepalive_s", &UplinkConfig::keepalive_s, false, CheckPositive},
    {"username", &UplinkConfig::username, false, nullptr},
    {"password", &UplinkConfig::password, false, nullptr},
}};

}  // namespace

void BindUplinkConfig(const ConfigNode& table, UplinkConfig& out, ConfigErrors& errors) {
  BindTable<UplinkConfig>(table, "uplink", kFields, out, errors);
}

}  // namespace ef::uplink
