// The [uplink] section: where and how events go to the cloud. Absent: no uplink, events are
// kept in the local queue. Also the uplink's keys of [streams.NAME] (priority, min_share,
// catch_up): how the forwarder schedules each stream; storage binds the others.
//
// Numeric limits left at -1 take the value of the chosen `profile` (ApplyUplinkProfile), so a
// user sets `profile = "aws-iot-core"` and overrides only what differs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/config_bind.h"
#include "uplink/compress.h"
#include "uplink/envelope.h"
#include "uplink/jetstream/jetstream_config.h"
#include "uplink/scheduler.h"

namespace ef::uplink {

// The cloud the uplink talks to: its limits and rules (see ApplyUplinkProfile).
enum class CloudProfile { kGeneric, kAwsIotCore, kAzureIotHub };

// How the uplink talks to the cloud: MQTT (at least once) or NATS JetStream (exactly once,
// by message id; see uplink/jetstream/jetstream_publisher.h).
enum class UplinkKind { kMqtt, kJetStream };

struct UplinkConfig {
  UplinkKind kind = UplinkKind::kMqtt;  // Default: mqtt | jetstream
  // [uplink.jetstream]: required for kind = "jetstream" (then uri/uris are not used).
  std::optional<JetStreamConfig> jetstream;
  CloudProfile profile = CloudProfile::kGeneric;  // Default: generic | aws-iot-core | azure-iot-hub
  std::string uri;                   // One of uri / uris is required
  std::vector<std::string> uris;     // Cluster nodes, tried in turn
  std::string client_id;             // Default: "edgeferry-<gateway id>" (azure: the gateway id)
  std::string topic;                 // Default: by batch format and profile (see README)
  std::string status_topic = "edgeferry/{gateway}/status";  // Default; "" = no birth/will
  int64_t qos = 1;                   // Default: 1
  int64_t max_inflight = 100;        // Default: 100 publishes awaiting PUBACK
  int64_t drain_timeout_ms = 5000;   // Default: 5 s to finish in-flight publishes at shutdown
  int64_t keepalive_s = -1;          // Default: profile (30; azure 240)
  std::string username;              // Default: none (azure: "<hub>/<client id>/?api-version=...")
  std::string password;              // Default: none; never logged
  // Batching: events of one stream per message.
  std::optional<BatchFormat> batch;  // Default: profile (generic: none; aws, azure: json)
  int64_t batch_max_events = 500;    // Default: 500
  int64_t batch_linger_ms = 20;      // Default: 20 ms to wait for a fuller batch when live
  Compression compression = Compression::kNone;  // Default: none | zstd
  // Limits of the cloud.
  int64_t max_message_bytes = -1;    // Default: profile (256 KiB; aws 128 KiB)
  int64_t max_publishes_per_s = -1;  // Default: profile (0 = unlimited; aws, azure 100)
  int64_t max_bytes_per_s = -1;      // Default: profile (0 = unlimited; aws 512 KiB)
  int64_t min_connect_interval_ms = -1;  // Default: profile (100 ms; aws, azure 1000 ms)
  int64_t max_attempts = 5;          // Default: 5 failed sends of the same batch: dead letter
  // TLS (ssl:// URIs).
  std::string ca_file;               // Default: the system CA store
  std::string cert_file;             // Default: none (client certificate, PEM)
  std::string key_file;              // Default: none (its private key, PEM)
  std::string key_password;          // Default: none; never logged
  bool verify_server = true;         // Default: true
  bool verify_hostname = true;       // Default: true
  std::vector<std::string> alpn;     // Default: none, e.g. ["x-amzn-mqtt-ca"] for AWS on 443
};

// Fills `out` from the [uplink] table, then the profile's defaults; errors go to `errors`.
void BindUplinkConfig(const ConfigNode& table, UplinkConfig& out, ConfigErrors& errors);

// Fills what is still unset (-1, empty) from the profile and the gateway id; `batch` is set
// afterwards.
void ApplyUplinkProfile(UplinkConfig& config, const std::string& gateway_id);

// The streams every gateway schedules unless configured otherwise: telemetry (priority 10),
// aggregates (50), alerts (100, catch_up = "in_order").
std::vector<StreamSchedule> DefaultStreamSchedules();

// Binds the uplink's keys of [streams.NAME] (priority, min_share, catch_up) into the stream
// `name` of `streams`, which it adds when new; leaves the others to their owners.
void BindStreamSchedule(SharedTable& table, const std::string& name,
                        std::vector<StreamSchedule>& streams);

// The broker URIs in the order to try them (uri first, then uris).
std::vector<std::string> BrokerUris(const UplinkConfig& config);

}  // namespace ef::uplink
