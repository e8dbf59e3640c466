// ef-bench-jetstream: how fast edgeferry drains a stored backlog into NATS JetStream (1 and 3
// replicas, one event per message and batched), against its MQTT uplink to the same servers'
// MQTT port, in one run; every run read back and counted by (gateway, seq).
//
//   ef-bench-jetstream [--count 1000000] [--runs js1-none,js1-json,js3-none,js3-json,
//                      js3-json-inorder,mqtt-none,mqtt-json] [--timeout 900] [--edgeferry PATH]
//
// A run name "-inorder" makes the stream catch_up = "in_order": one message (batch) in flight,
// which keeps it in seq order in JetStream also across failures (the cost of that guarantee).
//
// 1. Writes a queue database with --count telemetry events (bench/uplink_backlog.h).
// 2. Starts a 3-node nats-server cluster with JetStream and MQTT on loopback
//    (tests/support/nats_cluster.h) and an idle Mosquitto as the edge broker.
// 3. For each run, copies the database and runs the real daemon on it: `kind = "jetstream"`
//    into a stream of its own (created by edgeferry with 1 or 3 replicas), or the MQTT uplink
//    to node 1's MQTT port, whose messages a 1-replica stream on the same subjects captures.
//    Measured from the uplink's "connected to cloud" log line to the empty queue (polled with
//    `edgeferry queue stats` every 200 ms): events/s, and the daemon's CPU time (utime +
//    stime) per 100,000 events over that time.
// 4. Reads each stream back with an independent consumer (`missing` and `duplicates`), then
//    deletes it, so that every run starts on servers without the earlier runs' messages.
// The last stdout line is one JSON object. Exit status 0 when every run delivered everything
// exactly once.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "bench/tools/cli_args.h"
#include "bench/tools/proc_stats.h"
#include "bench/uplink_backlog.h"
#include "tests/support/jetstream_reader.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/nats_cluster.h"
#include "tests/support/process.h"
#include "tests/support/queue_stats.h"
#include "tests/support/temp_dir.h"

#ifndef EF_EDGEFERRY_PATH
#define EF_EDGEFERRY_PATH "edgeferry"
#endif

namespace ef::bench {
namespace {

using testkit::DeadlineIn;
using testkit::SteadyNow;
using std::chrono::seconds;

struct RunSpec {
  std::string name;  // "js3-json"
  bool jetstream = true;
  int replicas = 1;
  std::string batch = "none";
  bool in_order = false;  // "-inorder": the stream is catch_up = "in_order" (one in flight)
  std::string Stream() const {  // "B_JS3_JSON"
    std::string s = "B_" + name;
    for (char& c : s) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
    return s;
  }
  std::string Prefix() const {  // subject prefix of this run
    std::string s = name;
    for (char& c : s) c = c == '-' ? '_' : c;
    return s;
  }
};

struct RunResult {
  RunSpec spec;
  bool drained = false;
  int exit_status = -1;
  double drain_s = 0, eps = 0, cpu_drain_s = 0, cpu_per_100k = 0;
  testkit::StreamCount count;
};

struct Setup {
  uint64_t count;
  std::string edgeferry;
  std::filesystem::path work, backlog;
  std::string edge_uri;
  testkit::NatsCluster* cluster;
  testkit::SteadyClock::duration timeout;
};

std::string ConfigText(const Setup& s, const std::filesystem::path& data, const RunSpec& r) {
  std::ostringstream t;
  t << "[gateway]\nid = \"gw-bench\"\ndata_dir = \"" << data.string() << "\"\n\n"
    << "[[sources.mqtt]]\nname = \"idle-edge\"\nuri = \"" << s.edge_uri << "\"\n"
    << "topics = [\"plant/+/telemetry\"]\n\n"
    << (r.in_order ? "[streams.telemetry]\ncatch_up = \"in_order\"\n\n" : "")
    << "[uplink]\nbatch = \"" << r.batch << "\"\n";
  if (r.jetstream) {
    t << "kind = \"jetstream\"\ntopic = \"" << r.Prefix() << ".{gateway}.{stream}\"\n\n"
      << "[uplink.jetstream]\nservers = [\"" << s.cluster->client_url(0) << "\"]\n"
      << "stream = \"" << r.Stream() << "\"\ncreate_stream = true\n"
      << "replicas = " << r.replicas << "\nduplicate_window_s = 600\n";
  } else {
    // NATS's MQTT needs a client id; "a/b/c" arrives on subject "a.b.c".
    t << "uri = \"" << s.cluster->mqtt_uri(0) << "\"\nclient_id = \"edgeferry-bench-" << r.name
      << "\"\nstatus_topic = \"\"\ntopic = \"" << r.Prefix() << "/{gateway}/{stream}\"\n";
  }
  return t.str();
}

std::optional<uint64_t> Queued(const Setup& s, const std::filesystem::path& dir) {
  std::string error;
  auto stats = testkit::ReadQueueStats(s.edgeferry, dir / "data", dir / "qs.out",
                                       DeadlineIn(seconds(30)), &error);
  if (!stats) return std::nullopt;
  return stats->events;
}

RunResult RunOne(const Setup& s, const RunSpec& spec) {
  RunResult r;
  r.spec = spec;
  const std::filesystem::path dir = s.work / spec.name;
  const std::filesystem::path data = dir / "data";
  std::filesystem::create_directories(data);
  std::filesystem::copy_file(s.backlog, data / "queue.db");
  if (std::filesystem::exists(s.backlog.string() + "-wal")) {
    std::filesystem::copy_file(s.backlog.string() + "-wal", data / "queue.db-wal");
  }
  const std::string url = s.cluster->client_url(0);
  std::string error;
  if (!spec.jetstream &&
      !testkit::CreateStream(url, {spec.Stream(), {spec.Prefix() + ".>"}, 1, 600},
                             DeadlineIn(seconds(30)), &error)) {
    std::cerr << "ef-bench-jetstream: " << spec.name << ": " << error << "\n";
    return r;
  }
  testkit::WriteFile(dir / "edgeferry.toml", ConfigText(s, data, spec));
  const auto deadline = DeadlineIn(s.timeout);
  testkit::Process daemon(testkit::ProcessOptions{
      .argv = {s.edgeferry, "run", "--config", (dir / "edgeferry.toml").string()},
      .env = {},
      .log_file = dir / "edgeferry.log"});
  // The drain starts when the uplink is connected (and, for JetStream, found or made its
  // stream): both publishers log this line then.
  const bool started = testkit::WaitUntil(deadline, [&] {
    return daemon.Log().find("uplink: connected to cloud") != std::string::npos;
  });
  const auto first = SteadyNow();
  const double cpu_first = ProcessCpuSeconds(daemon.pid());
  if (started) {
    r.drained = testkit::WaitUntil(
        deadline, [&] { return daemon.Running() && Queued(s, dir) == 0; },
        std::chrono::milliseconds(200));
  }
  r.drain_s = Seconds(SteadyNow() - first);
  r.cpu_drain_s = ProcessCpuSeconds(daemon.pid()) - cpu_first;
  daemon.Signal(SIGTERM);
  r.exit_status = daemon.Wait(DeadlineIn(seconds(30))).value_or(-1);
  if (r.exit_status == -1) daemon.Kill();
  if (r.drain_s > 0) r.eps = static_cast<double>(s.count) / r.drain_s;
  r.cpu_per_100k = r.cpu_drain_s * 1e5 / static_cast<double>(s.count);
  r.count = testkit::ReadStream(url, spec.Stream(), s.count, DeadlineIn(seconds(600)));
  // Each run starts on servers without the earlier runs' messages.
  if (!testkit::DeleteStream(url, spec.Stream(), &error)) {
    std::cerr << "ef-bench-jetstream: " << spec.name << ": " << error << "\n";
  }
  if (!r.drained || r.exit_status != 0) {
    std::string log = daemon.Log();
    if (log.size() > 3000) log = "..." + log.substr(log.size() - 3000);
    std::cerr << "ef-bench-jetstream: " << spec.name << " incomplete or failed; log:\n" << log;
  }
  return r;
}

void PrintRun(const RunResult& r) {
  std::printf("%-10s %s %.2f s: %.0f events/s, daemon CPU %.2f s per 100k events; stream: %s\n",
              r.spec.name.c_str(), r.drained ? "drained" : "NOT DRAINED", r.drain_s, r.eps,
              r.cpu_per_100k, r.count.Summary().c_str());
  std::fflush(stdout);
}

std::string Json(const Setup& s, const std::vector<RunResult>& runs) {
  std::string out = "{\"bench\":\"jetstream\",\"count\":" + std::to_string(s.count);
  char buf[320];
  bool ok = true;
  for (const RunResult& r : runs) {
    std::string k = r.spec.Prefix();
    std::snprintf(buf, sizeof buf,
                  ",\"%s_eps\":%.0f,\"%s_cpu_s_per_100k\":%.3f,\"%s_messages\":%llu,"
                  "\"%s_missing\":%llu,\"%s_duplicates\":%llu",
                  k.c_str(), r.eps, k.c_str(), r.cpu_per_100k, k.c_str(),
                  static_cast<unsigned long long>(r.count.messages), k.c_str(),
                  static_cast<unsigned long long>(r.count.missing), k.c_str(),
                  static_cast<unsigned long long>(r.count.duplicates));
    out += buf;
    ok = ok && r.drained && r.exit_status == 0 && r.count.error.empty() &&
         (r.count.missing == 0 && (!r.spec.jetstream || r.count.duplicates == 0)) &&
         (!r.spec.in_order || r.count.out_of_order == 0);
  }
  uint64_t missing = 0, duplicates = 0;
  for (const RunResult& r : runs) {
    missing += r.count.missing;
    duplicates += r.count.duplicates;
  }
  out += ",\"missing\":" + std::to_string(missing) +
         ",\"duplicates\":" + std::to_string(duplicates) + ",\"ok\":" + (ok ? "true" : "false") +
         "}";
  return out;
}

RunSpec ParseRun(const std::string& name) {
  RunSpec r;
  r.name = name;
  const size_t dash = name.find('-');
  const std::string kind = name.substr(0, dash);
  r.batch = dash == std::string::npos ? "none" : name.substr(dash + 1);
  if (r.batch.ends_with("-inorder")) {
    r.in_order = true;
    r.batch.resize(r.batch.size() - std::string("-inorder").size());
  }
  if (kind == "js1" || kind == "js3") {
    r.replicas = kind == "js1" ? 1 : 3;
  } else if (kind == "mqtt") {
    r.jetstream = false;
  } else {
    throw std::invalid_argument("--runs: js1-*, js3-* or mqtt-*, not " + name);
  }
  if (r.batch != "none" && r.batch != "json" && r.batch != "ndjson") {
    throw std::invalid_argument("--runs: batch none, json or ndjson, not " + name);
  }
  return r;
}

int Run(const CliArgs& args) {
  testkit::TempDir work("ef-bench-jetstream");
  Setup s{.count = static_cast<uint64_t>(args.Int("count", 1'000'000)),
          .edgeferry = args.String("edgeferry", EF_EDGEFERRY_PATH),
          .work = work.path(),
          .backlog = work.Subdir("backlog") / "queue.db",
          .edge_uri = {},
          .cluster = nullptr,
          .timeout = seconds(args.Int("timeout", 900))};
  std::vector<RunSpec> specs;
  std::istringstream names(args.String("runs", "js1-none,js1-json,js3-none,js3-json,"
                                               "js3-json-inorder,mqtt-none,mqtt-json"));
  for (std::string name; std::getline(names, name, ',');) specs.push_back(ParseRun(name));
  if (s.count == 0) throw std::invalid_argument("--count must be positive");

  const auto build_start = SteadyNow();
  Result<uint64_t> max_seq = BuildBacklog({.db_path = s.backlog.string(), .events = s.count});
  if (!max_seq.ok()) {
    std::cerr << "ef-bench-jetstream: backlog: " << max_seq.status().ToString() << "\n";
    return 1;
  }
  std::printf("backlog    %llu events stored in %.1f s\n",
              static_cast<unsigned long long>(s.count), Seconds(SteadyNow() - build_start));

  testkit::BrokerOptions edge_options;
  edge_options.name = "bench-edge";
  testkit::MosquittoBroker edge(edge_options);
  testkit::NatsCluster cluster;
  std::string error;
  if (!edge.Start(DeadlineIn(seconds(10))) || !cluster.Start(DeadlineIn(seconds(20))) ||
      !cluster.WaitMqttReady(DeadlineIn(seconds(60)), &error)) {
    std::cerr << "ef-bench-jetstream: servers did not start: " << error << "\n" << cluster.Log(0);
    return 1;
  }
  s.edge_uri = edge.uri();
  s.cluster = &cluster;
  std::vector<RunResult> runs;
  for (const RunSpec& spec : specs) {
    runs.push_back(RunOne(s, spec));
    PrintRun(runs.back());
  }
  const std::string json = Json(s, runs);
  std::cout << json << std::endl;
  return json.find("\"ok\":true") != std::string::npos ? 0 : 1;
}

}  // namespace
}  // namespace ef::bench

int main(int argc, char** argv) {
  try {
    return ef::bench::Run(ef::bench::CliArgs(argc, argv, {}));
  } catch (const std::exception& e) {
    std::cerr << "ef-bench-jetstream: " << e.what() << "\n";
    return 2;
  }
}
