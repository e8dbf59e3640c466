#include "uplink/jetstream/jetstream_config.h"

#include <array>

#include "core/config_bind.h"

namespace ef::uplink {
namespace {

constexpr std::array<Choice<JetStreamStorage>, 2> kStorages = {{
    {"file", JetStreamStorage::kFile},
    {"memory", JetStreamStorage::kMemory},
}};

std::string CheckServers(const ConfigNode& node) {
  if (node.items.empty()) return "must list at least one server";
  for (const ConfigNode& item : node.items) {
    const auto* url = std::get_if<std::string>(&item.scalar);
    if (url == nullptr) continue;  // the type check reports it
    if (!url->starts_with("nats://") && !url->starts_with("tls://")) {
      return "server '" + *url + "' must start with nats:// or tls://";
    }
  }
  return {};
}

// JetStream stream names may not hold spaces, '.', '*', '>', path separators.
std::string CheckStreamName(const ConfigNode& node) {
  const auto& name = std::get<std::string>(node.scalar);
  if (name.empty()) return "must not be empty";
  if (name.find_first_of(" .*>/\\\t") != std::string::npos) {
    return "'" + name + "' is no valid stream name (no spaces, '.', '*', '>', '/', '\\')";
  }
  return {};
}

std::string CheckReplicas(const ConfigNode& node) {
  const int64_t n = std::get<int64_t>(node.scalar);
  return n >= 1 && n <= 5 ? std::string() : "must be between 1 and 5 (JetStream's limit)";
}

const std::array<ConfigField<JetStreamConfig>, 11> kFields = {{
    {"servers", &JetStreamConfig::servers, true, CheckServers},
    {"stream", &JetStreamConfig::stream, true, CheckStreamName},
    {"create_stream", &JetStreamConfig::create_stream, false, nullptr},
    {"subjects", &JetStreamConfig::subjects, false, CheckNonEmpty},
    {"duplicate_window_s", &JetStreamConfig::duplicate_window_s, false, CheckPositive},
    {"replicas", &JetStreamConfig::replicas, false, CheckReplicas},
    {"storage", OneOf<&JetStreamConfig::storage, kStorages>(), false, nullptr},
    {"ack_timeout_ms", &JetStreamConfig::ack_timeout_ms, false, CheckPositive},
    {"nkey", &JetStreamConfig::nkey, false, CheckNonEmpty},
    {"nkey_seed_file", &JetStreamConfig::nkey_seed_file, false, CheckNonEmpty},
    {"creds_file", &JetStreamConfig::creds_file, false, CheckNonEmpty},
}};

}  // namespace

void BindJetStreamConfig(const ConfigNode& table, JetStreamConfig& out, ConfigErrors& errors) {
  BindTable<JetStreamConfig>(table, "uplink.jetstream", kFields, out, errors);
  if (out.nkey.empty() != out.nkey_seed_file.empty()) {
    errors.Add(table.pos, "'nkey' and 'nkey_seed_file' go together in [uplink.jetstream]");
  }
  if (!out.nkey_seed_file.empty() && !out.creds_file.empty()) {
    errors.Add(table.pos, "'nkey_seed_file' and 'creds_file' exclude each other in "
                          "[uplink.jetstream]");
  }
}

std::string SubjectFilterOf(const std::string& topic) {
  std::string out;
  for (size_t i = 0; i < topic.size(); ++i) {
    const size_t close = topic[i] == '{' ? topic.find('}', i) : std::string::npos;
    if (close == std::string::npos) {
      out += topic[i];
      continue;
    }
    out += '*';
    i = close;
  }
  return out;
}

}  // namespace ef::uplink
