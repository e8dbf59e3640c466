// edgeferry's entry point: parses the command line, loads the configuration and hands over
// to the command. The object graph is built in run.cpp; logic lives in the libraries.
#include <array>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/json.h"
#include "core/log.h"
#include "daemon/daemon_config.h"
#include "daemon/probe_command.h"
#include "daemon/queue_command.h"
#include "daemon/replay_command.h"
#include "daemon/rule_field_check.h"
#include "daemon/rules_runtime.h"
#include "daemon/run.h"
#include "daemon/runtime_libraries.h"
#include "daemon/service_notify.h"
#include "storage/sqlite_store.h"
#include "uplink/mqtt_publisher.h"
#include "uplink/publisher_kinds.h"

namespace {

using ef::daemon::DaemonConfig;

struct Options {
  std::string command;
  std::vector<std::string> words;  // positional arguments after the command
  std::string config_path;
  std::string data_dir;
  std::optional<ef::LogLevel> log_level;
  bool json = false;
  bool all = false;
  size_t limit = 50;
};

constexpr char kUsage[] =
    "usage: edgeferry <command> [options]\n"
    "\n"
    "commands:\n"
    "  run       run the gateway until SIGTERM or SIGINT\n"
    "  check     validate the configuration and the rule files; print errors as\n"
    "            file:line:col: message, and warn of rule fields no data contract declares\n"
    "  version   print the version of edgeferry and of the libraries it uses\n"
    "  queue stats [--json]             what waits in the local queue, per stream, with\n"
    "                                   drops, rejections, expiries, dead letters, the\n"
    "                                   drain rate and the estimated time to drain\n"
    "  queue dlq list [--limit N]       dead letters (events the cloud refused)\n"
    "  queue dlq show ID                one dead letter with its payload\n"
    "  queue dlq replay ID...|--all     send them again\n"
    "  queue dlq purge ID...|--all      delete them\n"
    "  probe modbus (--tcp HOST:PORT | --rtu DEVICE [--baud N] [--parity N|E|O])\n"
    "        --slave N --register holding|input|coil|discrete --start A --count C\n"
    "                                   read once; print the registers raw and every\n"
    "                                   32/64-bit type in all four byte orders\n"
    "  replay --rules FILE --csv IN --out OUT [--plot FILE.svg] [--labels FILE] ...\n"
    "                                   run rules over a recorded CSV in event time\n"
    "                                   (replay_command.h lists every option)\n"
    "\n"
    "options:\n"
    "  --config FILE        configuration (default: /etc/edgeferry/edgeferry.toml if it\n"
    "                       exists, else built-in defaults)\n"
    "  --log-level LEVEL    debug, info, warning or error (default: from the file, or info)\n"
    "  --data-dir DIR       queue commands: the state folder (default: from the configuration)\n";

// Returns an error message, or empty when `args` parsed.
std::string ParseArgs(int argc, char** argv, Options* out) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (out->command == "probe" || out->command == "replay") {  // their options are their own
      out->words.emplace_back(arg);
      continue;
    }
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    if (arg == "--config") {
      auto v = value();
      if (!v) return "--config needs a file";
      out->config_path = *v;
    } else if (arg == "--log-level") {
      auto v = value();
      if (!v || !(out->log_level = ef::ParseLogLevel(*v))) {
        return "--log-level needs one of debug, info, warning, error";
      }
    } else if (arg == "--data-dir") {
      auto v = value();
      if (!v) return "--data-dir needs a folder";
      out->data_dir = *v;
    } else if (arg == "--limit") {
      auto v = value();
      if (!v || v->empty() || v->find_first_not_of("0123456789") != std::string::npos) {
        return "--limit needs a number";
      }
      out->limit = std::stoul(*v);
    } else if (arg == "--json") {
      out->json = true;
    } else if (arg == "--all") {
      out->all = true;
    } else if (arg == "--help" || arg == "-h") {
      out->command = "help";
    } else if (arg == "--version") {
      out->command = "version";
    } else if (out->command.empty() && !arg.starts_with("-")) {
      out->command = std::string(arg);
    } else if (out->command == "queue" && !arg.starts_with("-")) {
      out->words.emplace_back(arg);
    } else {
      return "unexpected argument '" + std::string(arg) + "'";
    }
  }
  return {};
}

bool Load(const Options& options, DaemonConfig* config) {
  const std::vector<std::string> errors = ef::daemon::LoadConfig(options.config_path, config);
  for (const std::string& line : errors) std::fprintf(stderr, "%s\n", line.c_str());
  return errors.empty();
}

int CommandCheck(const Options& options) {
  DaemonConfig config;
  if (!Load(options, &config)) return 1;
  ef::rules::RuleSet rules;
  const std::vector<std::string> rule_errors = ef::daemon::LoadRules(config, &rules);
  for (const std::string& line : rule_errors) std::fprintf(stderr, "%s\n", line.c_str());
  if (!rule_errors.empty()) return 1;
  // Warnings only: an undeclared field may still arrive (unknown_fields = "keep").
  const std::vector<std::string> warnings = ef::daemon::CheckRuleFields(rules, config.contracts);
  for (const std::string& line : warnings) std::fprintf(stderr, "%s\n", line.c_str());
  const std::string noted =
      warnings.empty() ? std::string()
                       : ", " + std::to_string(warnings.size()) +
                             (warnings.size() == 1 ? " warning" : " warnings");
  std::printf("%s: OK (%zu source%s, %s, %zu rule%s%s)\n", config.origin.c_str(),
              config.sources.size(), config.sources.size() == 1 ? "" : "s",
              config.uplink ? ("uplink to " + ef::uplink::UplinkTarget(*config.uplink)).c_str()
                            : "no uplink",
              rules.rules.size(), rules.rules.size() == 1 ? "" : "s", noted.c_str());
  return 0;
}

int CommandRun(const Options& options) {
  DaemonConfig config;
  if (!Load(options, &config)) {
    ef::daemon::NotifyServiceManager("STATUS=invalid configuration");
    return 1;
  }
  ef::Logger log(options.log_level.value_or(*ef::ParseLogLevel(config.gateway.log_level)));
  // The same file is read again on SIGHUP.
  const std::string path = config.origin == "embedded defaults" ? "" : config.origin;
  return ef::daemon::RunDaemon(
      [path](DaemonConfig* out) { return ef::daemon::LoadConfig(path, out); },
      ef::daemon::LoadLibrariesFor, log);
}

int CommandVersion(const Options&) {
  std::printf("edgeferry %s\n  %s\n  %s\n  %s\n  %s\n", EF_VERSION,
              ef::uplink::MqttLibraryVersion().c_str(),
              ef::storage::SqliteLibraryVersion().c_str(), ef::ConfigLibraryVersion().c_str(),
              ef::JsonLibraryVersion().c_str());
  return 0;
}

int CommandQueue(const Options& options) {
  ef::daemon::QueueCommandArgs args;
  args.words = options.words;
  args.json = options.json;
  args.all = options.all;
  args.limit = options.limit;
  std::string data_dir = options.data_dir;
  if (data_dir.empty()) {
    DaemonConfig config;
    if (!Load(options, &config)) return 1;
    data_dir = config.gateway.data_dir;
  }
  DaemonConfig located;
  located.gateway.data_dir = data_dir;
  args.db_path = ef::daemon::QueuePath(located);
  return ef::daemon::RunQueueCommand(args);
}

int CommandProbe(const Options& options) { return ef::daemon::RunProbeCommand(options.words); }

int CommandReplay(const Options& options) {
  return ef::daemon::RunReplayCommand(options.words);
}

int CommandHelp(const Options&) {
  std::fputs(kUsage, stdout);
  return 0;
}

struct Command {
  std::string_view name;
  int (*run)(const Options&);
};
constexpr std::array<Command, 7> kCommands = {{
    {"probe", CommandProbe},
    {"replay", CommandReplay},
    {"run", CommandRun},
    {"queue", CommandQueue},
    {"check", CommandCheck},
    {"version", CommandVersion},
    {"help", CommandHelp},
}};

}  // namespace

int main(int argc, char** argv) {
  // Paho is loaded and set up (uplink::InitMqttLibrary) by `run` once it knows which build
  // its configuration needs (daemon/runtime_libraries.h); other commands load it on use.
  ef::storage::InitSqliteLibrary();  // before any SQLite connection
  Options options;
  if (std::string error = ParseArgs(argc, argv, &options); !error.empty()) {
    std::fprintf(stderr, "edgeferry: %s\n\n%s", error.c_str(), kUsage);
    return 2;
  }
  for (const Command& command : kCommands) {
    if (command.name == options.command) return command.run(options);
  }
  std::fprintf(stderr, "edgeferry: %s\n\n%s",
               options.command.empty() ? "no command given"
                                       : ("unknown command '" + options.command + "'").c_str(),
               kUsage);
  return 2;
}
