#include "connectors/mqtt/mqtt_config.h"

#include <array>

#include "core/config_bind.h"

namespace ef::connectors {
namespace {

const std::array<ConfigField<MqttSourceConfig>, 10> kFields = {{
    {"name", &MqttSourceConfig::name, true, CheckNonEmpty},
    {"uri", &MqttSourceConfig::uri, true, CheckMqttUri},
    {"client_id", &MqttSourceConfig::client_id, false, CheckNonEmpty},
    {"topics", &MqttSourceConfig::topics, false, CheckNonEmpty},
    {"device_id_level", &MqttSourceConfig::device_id_level, false, CheckNotNegative},
    {"qos", &MqttSourceConfig::qos, false, CheckQos01},
    {"stream", &MqttSourceConfig::stream, false, CheckNonEmpty},
    {"username", &MqttSourceConfig::username, false, nullptr},
    {"password", &MqttSourceConfig::password, false, nullptr},
    {"keepalive_s", &MqttSourceConfig::keepalive_s, false, CheckPositive},
}};

}  // namespace

void BindMqttSourceConfig(const ConfigNode& table, MqttSourceConfig& out, ConfigErrors& errors) {
  BindTable<MqttSourceConfig>(table, "sources.mqtt", kFields, out, errors);
}

std::string DeviceIdFromTopic(std::string_view topic, int64_t level) {
  size_t begin = 0;
  for (int64_t i = 0; i < level; ++i) {
    const size_t slash = topic.find('/', begin);
    if (slash == std::string_view::npos) break;  // fewer levels: keep the last one
    begin = slash + 1;
  }
  const size_t end = topic.find('/', begin);
  return std::string(topic.substr(begin, end == std::string_view::npos ? end : end - begin));
}

}  // namespace ef::connectors
