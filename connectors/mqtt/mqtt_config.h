// Configuration of one MQTT source: a [[sources.mqtt]] table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/decode_spec.h"

namespace ef::connectors {

struct MqttSourceConfig {
  std::string name;                         // Required in a file; unique among sources
  std::string uri = "tcp://127.0.0.1:1883";   // Default: the local broker
  std::string client_id;                    // Default: "edgeferry-<gateway id>-<name>"
  std::vector<std::string> topics = {"#"};  // Default: every topic
  int64_t device_id_level = 1;              // Default: 1 (0-based topic level of the device id)
  int64_t qos = 1;                          // Default: 1
  std::string stream = "telemetry";         // Default: "telemetry"
  std::string username;                     // Default: none
  std::string password;                     // Default: none; never logged
  int64_t keepalive_s = 30;                 // Default: 30 s
  // A message with a longer payload is refused at ingest: its bytes are not kept, it is
  // dead-lettered with the reason and counted. Default: 262144 (256 KiB).
  int64_t max_payload_bytes = 262144;
  // How messages are decoded (the keys topic_template, data_format, fields, time_field,
  // time_format, value_field_name of the same table). Default: raw, as bytes.
  DecodeSpec decode;
};

// Fills `out` from one [[sources.mqtt]] table; errors go to `errors` with their positions.
void BindMqttSourceConfig(const ConfigNode& table, MqttSourceConfig& out, ConfigErrors& errors);

// The device id carried by `topic` at 0-based `level`, or the last level if it has fewer.
std::string DeviceIdFromTopic(std::string_view topic, int64_t level);

}  // namespace ef::connectors
