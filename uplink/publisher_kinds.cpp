#include "uplink/publisher_kinds.h"

#include "uplink/jetstream/jetstream_publisher.h"
#include "uplink/mqtt_publisher.h"

namespace ef::uplink {

std::unique_ptr<Publisher> MakePublisher(const UplinkConfig& config, const std::string& gateway_id,
                                         const Clock& clock, Logger& log) {
  if (config.kind == UplinkKind::kMqtt || !config.jetstream) {
    return std::make_unique<MqttPublisher>(config, gateway_id, clock, log);
  }
  JetStreamSettings s;
  s.js = *config.jetstream;
  s.gateway_id = gateway_id;
  s.subject_filter = SubjectFilterOf(config.topic);
  s.username = config.username;
  s.password = config.password;
  s.ca_file = config.ca_file;
  s.cert_file = config.cert_file;
  s.key_file = config.key_file;
  s.verify_server = config.verify_server;
  s.max_inflight = static_cast<size_t>(config.max_inflight);
  return std::make_unique<JetStreamPublisher>(std::move(s), clock, log);
}

std::string UplinkTarget(const UplinkConfig& config) {
  if (config.kind == UplinkKind::kJetStream && config.jetstream) {
    const auto& js = *config.jetstream;
    return "JetStream stream " + js.stream + (js.servers.empty() ? "" : " at " + js.servers[0]);
  }
  const std::vector<std::string> uris = BrokerUris(config);
  return uris.empty() ? std::string() : uris.front();
}

void ApplyKind(const UplinkConfig& config, ForwarderOptions& options) {
  if (config.kind != UplinkKind::kJetStream || !config.jetstream) return;
  options.message_ids = true;
  options.duplicate_window = std::chrono::seconds(config.jetstream->duplicate_window_s);
  // A resend must not land behind a later message of an in_order stream (README, JetStream).
  options.in_order_inflight = 1;
  options.status_topic.clear();
}

}  // namespace ef::uplink
