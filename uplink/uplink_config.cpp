#include "uplink/uplink_config.h"

#include <array>

#include "core/config_bind.h"
#include "uplink/envelope.h"

namespace ef::uplink {
namespace {

constexpr std::array<Choice<CloudProfile>, 3> kProfileNames = {{
    {"generic", CloudProfile::kGeneric},
    {"aws-iot-core", CloudProfile::kAwsIotCore},
    {"azure-iot-hub", CloudProfile::kAzureIotHub},
}};
constexpr std::array<Choice<UplinkKind>, 2> kKinds = {{
    {"mqtt", UplinkKind::kMqtt},
    {"jetstream", UplinkKind::kJetStream},
}};
constexpr std::array<Choice<BatchFormat>, 3> kBatchFormats = {{
    {"json", BatchFormat::kJson},
    {"ndjson", BatchFormat::kNdjson},
    {"none", BatchFormat::kNone},
}};
constexpr std::array<Choice<Compression>, 2> kCompressions = {{
    {"none", Compression::kNone},
    {"zstd", Compression::kZstd},
}};
constexpr std::array<Choice<bool>, 2> kCatchUps = {{
    {"live_first", true},
    {"in_order", false},
}};

std::string CheckTemplate(const ConfigNode& node) {
  return TopicTemplate::Validate(std::get<std::string>(node.scalar));
}
std::string CheckUris(const ConfigNode& node) {
  for (const ConfigNode& item : node.items) {
    if (std::string problem = CheckMqttUri(item); !problem.empty()) return problem;
  }
  return {};
}

const std::array<ConfigField<UplinkConfig>, 29> kFields = {{
    {"kind", OneOf<&UplinkConfig::kind, kKinds>(), false, nullptr},
    {"profile", OneOf<&UplinkConfig::profile, kProfileNames>(), false, nullptr},
    {"uri", &UplinkConfig::uri, false, CheckMqttUri},
    {"uris", &UplinkConfig::uris, false, CheckUris},
    {"client_id", &UplinkConfig::client_id, false, CheckNonEmpty},
    {"topic", &UplinkConfig::topic, false, CheckTemplate},
    {"status_topic", &UplinkConfig::status_topic, false, nullptr},
    {"qos", &UplinkConfig::qos, false, CheckQos01},
    {"max_inflight", &UplinkConfig::max_inflight, false, CheckPositive},
    {"drain_timeout_ms", &UplinkConfig::drain_timeout_ms, false, CheckPositive},
    {"keepalive_s", &UplinkConfig::keepalive_s, false, CheckPositive},
    {"username", &UplinkConfig::username, false, nullptr},
    {"password", &UplinkConfig::password, false, nullptr},
    {"batch", OneOf<&UplinkConfig::batch, kBatchFormats>(), false, nullptr},
    {"batch_max_events", &UplinkConfig::batch_max_events, false, CheckPositive},
    {"batch_linger_ms", &UplinkConfig::batch_linger_ms, false, CheckNotNegative},
    {"compression", OneOf<&UplinkConfig::compression, kCompressions>(), false, nullptr},
    {"max_message_bytes", &UplinkConfig::max_message_bytes, false, CheckPositive},
    {"max_publishes_per_s", &UplinkConfig::max_publishes_per_s, false, CheckNotNegative},
    {"max_bytes_per_s", &UplinkConfig::max_bytes_per_s, false, CheckNotNegative},
    {"min_connect_interval_ms", &UplinkConfig::min_connect_interval_ms, false, CheckNotNegative},
    {"max_attempts", &UplinkConfig::max_attempts, false, CheckPositive},
    {"ca_file", &UplinkConfig::ca_file, false, CheckNonEmpty},
    {"cert_file", &UplinkConfig::cert_file, false, CheckNonEmpty},
    {"key_file", &UplinkConfig::key_file, false, CheckNonEmpty},
    {"key_password", &UplinkConfig::key_password, false, nullptr},
    {"verify_server", &UplinkConfig::verify_server, false, nullptr},
    {"verify_hostname", &UplinkConfig::verify_hostname, false, nullptr},
    {"alpn", &UplinkConfig::alpn, false, nullptr},
}};

std::string CheckShare(const ConfigNode& node) {
  const double share = node.type == ConfigType::kFloat
                           ? std::get<double>(node.scalar)
                           : static_cast<double>(std::get<int64_t>(node.scalar));
  return share >= 0.0 && share <= 1.0 ? std::string() : "must be between 0 and 1";
}

const std::array<ConfigField<StreamSchedule>, 3> kStreamFields = {{
    {"priority", &StreamSchedule::priority, false, nullptr},
    {"min_share", &StreamSchedule::min_share, false, CheckShare},
    {"catch_up", OneOf<&StreamSchedule::live_first, kCatchUps>(), false, nullptr},
}};

// Limits and rules of each cloud. -1 / empty in the config means "take the profile's".
struct Profile {
  CloudProfile profile;
  int64_t max_message_bytes;
  int64_t max_publishes_per_s;
  int64_t max_bytes_per_s;
  int64_t min_connect_interval_ms;
  int64_t keepalive_s;
  bool requires_tls;
  BatchFormat batch;
};
constexpr std::array<Profile, 3> kProfiles = {{
    {CloudProfile::kGeneric, 256 * 1024, 0, 0, 100, 30, false, BatchFormat::kNone},
    // AWS IoT Core: 128 KB per message, 100 publishes/s and 512 KB/s per connection,
    // one CONNECT per second per client id.
    {CloudProfile::kAwsIotCore, 128 * 1024, 100, 512 * 1024, 1000, 30, true, BatchFormat::kJson},
    // Azure IoT Hub: 256 KB messages (billed per 4 KB), device id as client id.
    {CloudProfile::kAzureIotHub, 256 * 1024, 100, 0, 1000, 240, true, BatchFormat::kJson},
}};

const Profile& ProfileOf(CloudProfile profile) {
  for (const Profile& p : kProfiles) {
    if (p.profile == profile) return p;
  }
  return kProfiles[0];
}

void CheckJetStream(const ConfigNode& table, const UplinkConfig& c, ConfigErrors& errors) {
  if (!c.jetstream) {
    errors.Add(table.pos, "kind = \"jetstream\" needs an [uplink.jetstream] table (servers, "
                          "stream)");
  }
  if (!c.uri.empty() || !c.uris.empty()) {
    errors.Add(table.pos, "'uri'/'uris' are MQTT brokers; a jetstream uplink takes "
                          "[uplink.jetstream] servers");
  }
}

void CheckCombination(const ConfigNode& table, const UplinkConfig& c, ConfigErrors& errors) {
  if (c.kind == UplinkKind::kJetStream) {
    CheckJetStream(table, c, errors);
  } else if (c.uri.empty() && c.uris.empty()) {
    errors.Add(table.pos, "missing required key 'uri' (or 'uris') in [uplink]");
  }
  const BatchFormat batch = c.batch.value_or(ProfileOf(c.profile).batch);
  if (batch != BatchFormat::kNone && c.topic.find("{device}") != std::string::npos) {
    const ConfigNode* topic = table.Find("topic");
    errors.Add(topic ? topic->pos : table.pos,
               "'topic': {device} needs batch = \"none\" (a batch holds several devices)");
  }
  if (ProfileOf(c.profile).requires_tls) {
    for (const std::string& uri : BrokerUris(c)) {
      if (!uri.starts_with("ssl://")) {
        errors.Add(table.pos, "profile '" + std::string(NameOf(kProfileNames, c.profile)) +
                                  "' needs ssl:// URIs, not " + uri);
      }
    }
  }
  if ((c.cert_file.empty()) != (c.key_file.empty())) {
    errors.Add(table.pos, "'cert_file' and 'key_file' go together in [uplink]");
  }
}

// "myhub.azure-devices.net" from "ssl://myhub.azure-devices.net:8883".
std::string HostOf(const std::string& uri) {
  const size_t start = uri.find("://") == std::string::npos ? 0 : uri.find("://") + 3;
  const size_t colon = uri.rfind(':');
  return uri.substr(start, colon > start ? colon - start : std::string::npos);
}

}  // namespace

void BindUplinkConfig(const ConfigNode& table, UplinkConfig& out, ConfigErrors& errors) {
  std::vector<std::string_view> known = {"jetstream"};
  for (const auto& field : kFields) known.push_back(field.key);
  config_internal::ReportUnknownKeys(table, "uplink", known, errors);
  config_internal::BindFields<UplinkConfig>(table, "uplink", kFields, out, errors);
  if (const ConfigNode* js = table.Find("jetstream"); js != nullptr) {
    if (js->type != ConfigType::kTable) {
      errors.Add(js->pos, "'jetstream' in [uplink] must be a table ([uplink.jetstream])");
    } else {
      BindJetStreamConfig(*js, out.jetstream.emplace(), errors);
    }
  }
  CheckCombination(table, out, errors);
}

void ApplyUplinkProfile(UplinkConfig& c, const std::string& gateway_id) {
  const Profile& p = ProfileOf(c.profile);
  auto fill = [](int64_t& value, int64_t from_profile) {
    if (value < 0) value = from_profile;
  };
  fill(c.max_message_bytes, p.max_message_bytes);
  fill(c.max_publishes_per_s, p.max_publishes_per_s);
  fill(c.max_bytes_per_s, p.max_bytes_per_s);
  fill(c.min_connect_interval_ms, p.min_connect_interval_ms);
  fill(c.keepalive_s, p.keepalive_s);
  if (!c.batch) c.batch = p.batch;
  const bool azure = p.profile == CloudProfile::kAzureIotHub;
  if (c.client_id.empty()) c.client_id = azure ? gateway_id : "edgeferry-" + gateway_id;
  if (azure && c.username.empty() && !BrokerUris(c).empty()) {
    c.username = HostOf(BrokerUris(c).front()) + "/" + c.client_id + "/?api-version=2021-04-12";
  }
  if (c.topic.empty()) {
    if (azure) {
      c.topic = "devices/" + c.client_id + "/messages/events/stream={stream}";
    } else if (c.kind == UplinkKind::kJetStream) {
      c.topic = "edgeferry.{gateway}.{stream}";  // NATS subjects use '.'
    } else {
      c.topic = c.batch == BatchFormat::kNone ? "edgeferry/{gateway}/{stream}/{device}"
                                  : "edgeferry/{gateway}/{stream}";
    }
  }
}

std::vector<StreamSchedule> DefaultStreamSchedules() {
  StreamSchedule telemetry{"telemetry", 10};
  StreamSchedule aggregates{"aggregates", 50};
  StreamSchedule alerts{"alerts", 100};
  alerts.live_first = false;  // an alert backlog goes out in order, before live data
  return {telemetry, aggregates, alerts};
}

void BindStreamSchedule(SharedTable& table, const std::string& name,
                        std::vector<StreamSchedule>& streams) {
  table.Bind<StreamSchedule>(kStreamFields, NamedEntry(streams, name));
}

std::vector<std::string> BrokerUris(const UplinkConfig& config) {
  std::vector<std::string> out;
  if (!config.uri.empty()) out.push_back(config.uri);
  for (const std::string& u : config.uris) {
    if (u != config.uri) out.push_back(u);
  }
  return out;
}

}  // namespace ef::uplink
