#include "daemon/daemon_config.h"

#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>

#include "core/config_bind.h"
#include "core/log.h"
#include "daemon/self_ingest.h"
#include "pipeline/contract/contract_loader.h"

namespace ef::daemon {
namespace {

// What `edgeferry run` does with no configuration file: ingest everything from the local
// broker, keep it locally, no uplink until one is configured.
constexpr char kEmbeddedDefaults[] = R"toml(
[[sources.mqtt]]
name = "local"
uri = "tcp://127.0.0.1:1883"
topics = ["#"]
)toml";

std::string CheckLogLevel(const ConfigNode& node) {
  const auto& level = std::get<std::string>(node.scalar);
  return ParseLogLevel(level) ? std::string()
                              : "must be one of debug, info, warning, error; not \"" + level + "\"";
}

constexpr std::array<Choice<ClockSyncMode>, 2> kClockSyncModes = {{
    {"kernel", ClockSyncMode::kKernel},
    {"assume_synced", ClockSyncMode::kAssumeSynced},
}};

const std::array<ConfigField<GatewayConfig>, 6> kGatewayFields = {{
    {"id", &GatewayConfig::id, false, CheckNonEmpty},
    {"data_dir", &GatewayConfig::data_dir, false, CheckNonEmpty},
    {"log_level", &GatewayConfig::log_level, false, CheckLogLevel},
    {"clock_sync", OneOf<&GatewayConfig::clock_sync, kClockSyncModes>(), false, nullptr},
    {"rules_dir", &GatewayConfig::rules_dir, false, CheckNonEmpty},
    {"rules_max_state_bytes", &GatewayConfig::rules_max_state_bytes, false, CheckPositive},
}};

std::string CheckListen(const ConfigNode& node) {
  std::string host;
  uint16_t port = 0;
  return ParseListenAddress(std::get<std::string>(node.scalar), &host, &port)
             ? std::string()
             : "must be \"host:port\" (e.g. \"127.0.0.1:9102\"), with a port of 0 to 65535";
}

const std::array<ConfigField<MetricsConfig>, 5> kMetricsFields = {{
    {"enabled", &MetricsConfig::enabled, false, nullptr},
    {"listen", &MetricsConfig::listen, false, CheckListen},
    {"stall_timeout_s", &MetricsConfig::stall_timeout_s, false, CheckPositive},
    {"max_devices", &MetricsConfig::max_devices, false, CheckNotNegative},
    {"summary_interval_s", &MetricsConfig::summary_interval_s, false, CheckNotNegative},
}};

bool ExpectTable(const ConfigNode& node, std::string_view name, ConfigErrors& errors) {
  if (node.type == ConfigType::kTable) return true;
  std::string message = "'";  // appended, not "'" + ...: see SectionLabel on -Wrestrict
  message.append(name).append("' must be a table, not ").append(ConfigTypeName(node.type));
  errors.Add(node.pos, std::move(message));
  return false;
}

// [streams.NAME]: storage binds a stream's bounds and retention, the uplink its scheduling
// (both read `priority`); a key that neither knows is reported once.
void BindStreams(const ConfigNode& node, DaemonConfig& out, ConfigErrors& errors) {
  for (const auto& [name, table] : node.members) {
    if (table.type != ConfigType::kTable) {
      errors.Add(table.pos, "'streams." + name + "' must be a table: write [streams." + name + "]");
      continue;
    }
    SharedTable shared(table, "streams." + name, errors);
    storage::BindStreamConfig(shared, name, out.queue);
    uplink::BindStreamSchedule(shared, name, out.stream_schedules);
    shared.ReportUnknown();
  }
}

using SectionBinder = void (*)(const ConfigNode&, DaemonConfig&, ConfigErrors&);
struct Section {
  std::string_view name;
  SectionBinder bind;
};
struct ContractsKeys {
  std::string dir;
};
const std::array<ConfigField<ContractsKeys>, 1> kContractsFields = {{
    {"dir", &ContractsKeys::dir, false, CheckNonEmpty},
}};

const std::array<Section, 8> kSections = {{
    {"gateway",
     [](const ConfigNode& n, DaemonConfig& c, ConfigErrors& e) {
       BindTable<GatewayConfig>(n, "gateway", kGatewayFields, c.gateway, e);
     }},
    {"sources",
     [](const ConfigNode& n, DaemonConfig& c, ConfigErrors& e) {
       connectors::BindSources(n, c.sources, e);
     }},
    {"queue",
     [](const ConfigNode& n, DaemonConfig& c, ConfigErrors& e) {
       storage::BindQueueConfig(n, c.queue, e);
     }},
    {"streams", BindStreams},
    {"uplink",
     [](const ConfigNode& n, DaemonConfig& c, ConfigErrors& e) {
       c.uplink.emplace();
       uplink::BindUplinkConfig(n, *c.uplink, e);
     }},
    {"metrics",
     [](const ConfigNode& n, DaemonConfig& c, ConfigErrors& e) {
       BindTable<MetricsConfig>(n, "metrics", kMetricsFields, c.metrics, e);
     }},
    {"completeness",
     [](const ConfigNode& n, DaemonConfig& c, ConfigErrors& e) {
       pipeline::BindCompletenessConfig(n, c.completeness, e);
     }},
    {"contracts",
     [](const ConfigNode& n, DaemonConfig& c, ConfigErrors& e) {
       ContractsKeys keys{c.contracts_dir};
       BindTable<ContractsKeys>(n, "contracts", kContractsFields, keys, e);
       c.contracts_dir = keys.dir;
     }},
}};

// The contracts directory: relative paths from the config file's directory.
std::string ContractsDir(const DaemonConfig& config) {
  std::filesystem::path dir = config.contracts_dir;
  if (dir.is_relative()) dir = std::filesystem::path(config.origin).parent_path() / dir;
  return dir.string();
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "edgeferry";
  return name;
}

std::string DefaultDataDir() {
  // systemd sets STATE_DIRECTORY (a colon-separated list) for StateDirectory=.
  if (const char* state = std::getenv("STATE_DIRECTORY"); state != nullptr && *state != '\0') {
    const std::string dirs = state;
    return dirs.substr(0, dirs.find(':'));
  }
  return "./edgeferry-data";
}

void FillMachineDefaults(DaemonConfig& config) {
  // Rule files live beside the configuration: a relative rules_dir is taken from there.
  config.rules_dir_required = !config.gateway.rules_dir.empty();
  if (config.origin != "embedded defaults") {
    const std::filesystem::path beside = std::filesystem::path(config.origin).parent_path();
    const std::string dir = config.gateway.rules_dir.empty() ? "rules.d" : config.gateway.rules_dir;
    config.gateway.rules_dir = (beside / dir).string();
  }
  if (config.gateway.id.empty()) config.gateway.id = HostName();
  if (config.gateway.data_dir.empty()) config.gateway.data_dir = DefaultDataDir();
  for (auto& source : config.sources) connectors::FillSourceDefaults(source, config.gateway.id);
  if (config.uplink) uplink::ApplyUplinkProfile(*config.uplink, config.gateway.id);
}

}  // namespace

bool ParseListenAddress(std::string_view listen, std::string* host, uint16_t* port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view name = listen.substr(0, colon);
  const std::string_view digits = listen.substr(colon + 1);
  if (name.front() == '[') {
    if (name.size() < 3 || name.back() != ']') return false;
    name = name.substr(1, name.size() - 2);
  } else if (name.find(':') != std::string_view::npos) {
    return false;  // an IPv6 address needs its brackets
  }
  if (digits.empty() || digits.size() > 5) return false;
  uint32_t value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  if (value > 65535) return false;
  *host = std::string(name);
  *port = static_cast<uint16_t>(value);
  return true;
}

std::vector<std::string> LoadConfigText(std::string_view text, const std::string& origin,
                                        DaemonConfig* out) {
  ConfigErrors errors(origin);
  ConfigNode root = ParseConfigText(text, errors);
  DaemonConfig config;
  config.origin = origin;
  std::array<std::string_view, kSections.size()> names;
  for (size_t i = 0; i < kSections.size(); ++i) names[i] = kSections[i].name;
  for (const auto& [name, node] : root.members) {
    const Section* section = nullptr;
    for (const Section& s : kSections) section = s.name == name ? &s : section;
    if (section == nullptr) {
      config_internal::ReportUnknown(name, node, "", names, errors);
    } else if (ExpectTable(node, name, errors)) {
      section->bind(node, config, errors);
    }
  }
  if (errors.empty() && config.sources.empty()) {
    errors.Add(root.pos, "no source configured: add at least one [[sources.mqtt]] table");
  }
  FillMachineDefaults(config);
  if (errors.empty()) CheckSelfIngest(config, root, errors);
  std::vector<std::string> lines = errors.lines();
  if (lines.empty() && origin != "embedded defaults") {
    lines = pipeline::LoadContracts(ContractsDir(config), &config.contracts);
  }
  *out = std::move(config);
  return lines;
}

std::vector<std::string> LoadConfig(const std::string& path, DaemonConfig* out) {
  std::string file = path;
  if (file.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(kDefaultConfigPath, ec)) {
      return LoadConfigText(kEmbeddedDefaults, "embedded defaults", out);
    }
    file = kDefaultConfigPath;
  }
  Result<std::string> text = ReadConfigFile(file);
  if (!text.ok()) return {"cannot read configuration " + text.status().message()};
  return LoadConfigText(*text, file, out);
}

}  // namespace ef::daemon
