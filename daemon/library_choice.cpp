#include "daemon/library_choice.h"

#include <array>
#include <variant>

namespace ef::daemon {

bool MqttUriNeedsTls(std::string_view uri) {
  static constexpr std::array<std::string_view, 3> kPlainSchemes = {"tcp://", "mqtt://",
                                                                    "ws://"};
  for (std::string_view scheme : kPlainSchemes) {
    if (uri.starts_with(scheme)) return false;
  }
  return true;
}

MqttChoice ChooseMqttLibrary(const DaemonConfig& config) {
  for (const connectors::SourceConfig& source : config.sources) {
    const auto* mqtt = std::get_if<connectors::MqttSourceConfig>(&source);
    if (mqtt != nullptr && MqttUriNeedsTls(mqtt->uri)) {
      return {MqttVariant::kTls, "source '" + mqtt->name + "' " + mqtt->uri};
    }
  }
  if (config.uplink && config.uplink->kind == uplink::UplinkKind::kMqtt) {
    for (const std::string& uri : uplink::BrokerUris(*config.uplink)) {
      if (MqttUriNeedsTls(uri)) return {MqttVariant::kTls, "uplink " + uri};
    }
  }
  return {};
}

bool NeedsNatsLibrary(const DaemonConfig& config) {
  return config.uplink && config.uplink->kind == uplink::UplinkKind::kJetStream;
}

}  // namespace ef::daemon
