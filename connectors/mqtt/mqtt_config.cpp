#include "connectors/mqtt/mqtt_config.h"

#include <array>

#include "core/config_bind.h"
#include "core/topic_template.h"

namespace ef::connectors {
namespace {

const std::array<ConfigField<MqttSourceConfig>, 11> kFields = {{
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
    {"max_payload_bytes", &MqttSourceConfig::max_payload_bytes, false, CheckPositive},
}};

constexpr std::array<Choice<DataFormat>, 4> kDataFormats = {{
    {"raw", DataFormat::kRaw},
    {"json", DataFormat::kJson},
    {"json_array", DataFormat::kJsonArray},
    {"value", DataFormat::kValue},
}};

constexpr std::array<Choice<TimeFormat>, 5> kTimeFormats = {{
    {"unix", TimeFormat::kUnix},
    {"unix_ms", TimeFormat::kUnixMs},
    {"unix_us", TimeFormat::kUnixUs},
    {"unix_ns", TimeFormat::kUnixNs},
    {"rfc3339", TimeFormat::kRfc3339},
}};

std::string CheckTopicTemplate(const ConfigNode& node) {
  auto parsed = TopicTemplate::Parse(std::get<std::string>(node.scalar));
  return parsed.ok() ? std::string() : parsed.status().message();
}

const std::array<ConfigField<DecodeSpec>, 6> kDecodeFields = {{
    {"topic_template", &DecodeSpec::topic_template, false, CheckTopicTemplate},
    {"data_format", OneOf<&DecodeSpec::format, kDataFormats>(), false, nullptr},
    {"fields", &DecodeSpec::fields, false, nullptr},
    {"time_field", &DecodeSpec::time_field, false, CheckNonEmpty},
    {"time_format", OneOf<&DecodeSpec::time_format, kTimeFormats>(), false, nullptr},
    {"value_field_name", &DecodeSpec::value_field_name, false, CheckNonEmpty},
}};

}  // namespace

void BindMqttSourceConfig(const ConfigNode& table, MqttSourceConfig& out, ConfigErrors& errors) {
  SharedTable shared(table, "sources.mqtt", errors);
  shared.Bind<MqttSourceConfig>(kFields, out);
  shared.Bind<DecodeSpec>(kDecodeFields, out.decode);
  shared.ReportUnknown();
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
