#include "daemon/self_ingest.h"

#include <algorithm>

#include "core/topic_template.h"

namespace ef::daemon {

std::string BrokerKey(const std::string& uri) {
  std::string_view rest = uri;
  std::string port = uri.starts_with("ssl://") ? "8883" : "1883";
  if (const size_t scheme = rest.find("://"); scheme != std::string_view::npos) {
    rest.remove_prefix(scheme + 3);
  }
  std::string host(rest);
  if (const size_t colon = host.rfind(':');
      colon != std::string::npos && host.find(']', colon) == std::string::npos) {
    port = host.substr(colon + 1);
    host.resize(colon);
  }
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (host == "localhost" || host == "127.0.0.1" || host == "[::1]" || host == "::1") {
    host = "loopback";
  }
  return host + ":" + port;
}

std::string TemplateAsFilter(const std::string& topic_template, const std::string& gateway_id) {
  std::string out;
  for (size_t i = 0; i < topic_template.size();) {
    const size_t open = topic_template.find('{', i);
    const size_t close =
        open == std::string::npos ? std::string::npos : topic_template.find('}', open);
    if (close == std::string::npos) {
      out += topic_template.substr(i);
      break;
    }
    out += topic_template.substr(i, open - i);
    const std::string name = topic_template.substr(open + 1, close - open - 1);
    out += name == "gateway" ? gateway_id : "+";
    i = close + 1;
  }
  return out;
}

namespace {

// The position of topics[index] of the n-th [[sources.mqtt]] table, else of the table.
SourcePos TopicPos(const ConfigNode& root, size_t mqtt_index, size_t topic_index) {
  const ConfigNode* sources = root.Find("sources");
  const ConfigNode* mqtt = sources != nullptr ? sources->Find("mqtt") : nullptr;
  if (mqtt == nullptr || mqtt_index >= mqtt->items.size()) return root.pos;
  const ConfigNode& table = mqtt->items[mqtt_index];
  const ConfigNode* topics = table.Find("topics");
  if (topics == nullptr) return table.pos;
  return topic_index < topics->items.size() ? topics->items[topic_index].pos : topics->pos;
}

}  // namespace

void CheckSelfIngest(const DaemonConfig& config, const ConfigNode& root, ConfigErrors& errors) {
  if (!config.uplink) return;
  const uplink::UplinkConfig& up = *config.uplink;
  std::vector<std::string> brokers;
  if (!up.uri.empty()) brokers.push_back(BrokerKey(up.uri));
  for (const std::string& uri : up.uris) brokers.push_back(BrokerKey(uri));
  std::vector<std::string> uplink_filters = {TemplateAsFilter(up.topic, config.gateway.id)};
  if (!up.status_topic.empty()) {
    uplink_filters.push_back(TemplateAsFilter(up.status_topic, config.gateway.id));
  }
  size_t mqtt_index = 0;
  for (const connectors::SourceConfig& source : config.sources) {
    const auto* mqtt = std::get_if<connectors::MqttSourceConfig>(&source);
    if (mqtt == nullptr) continue;
    const size_t index = mqtt_index++;
    if (std::find(brokers.begin(), brokers.end(), BrokerKey(mqtt->uri)) == brokers.end()) continue;
    for (size_t t = 0; t < mqtt->topics.size(); ++t) {
      for (const std::string& uplink_filter : uplink_filters) {
        if (!TopicFiltersOverlap(mqtt->topics[t], uplink_filter)) continue;
        errors.Add(TopicPos(root, index, t),
                   "source '" + mqtt->name + "' subscribes to \"" + mqtt->topics[t] +
                       "\" on the broker the uplink publishes to (" + mqtt->uri +
                       "), and that filter matches the uplink's topic \"" + uplink_filter +
                       "\": edgeferry would ingest its own uplink for ever; narrow the filter "
                       "or use another broker");
        break;
      }
    }
  }
}

}  // namespace ef::daemon
