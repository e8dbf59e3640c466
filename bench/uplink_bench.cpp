// ef-bench-uplink: how fast edgeferry drains a stored backlog to a cloud broker, one event per
// publish against batched, in one run.
//
//   ef-bench-uplink [--count 1000000] [--modes none,json] [--sub-qos 1] [--timeout 900]
//                   [--edgeferry PATH]
//
// 1. Writes a queue database with --count telemetry events (~120-byte JSON payloads) through
//    storage::SqliteStore, as a long cloud outage would have left it.
// 2. Starts two Mosquitto brokers on free loopback ports (max_queued_messages 0): the cloud,
//    with a counting subscriber in this process, and an idle edge broker for the daemon's
//    one source.
// 3. For each mode (batch = "none", then "json": the generic profile's defaults otherwise),
//    copies the database, runs the real `edgeferry` daemon on it and waits until the
//    subscriber has seen every event. Measured from the first to the last arrival: events/s,
//    publishes/s, and the daemon's CPU time (utime + stime from /proc/PID/stat) per 100,000
//    events; start-up (opening and checking the database, connecting) is reported apart.
// The last stdout line is one JSON object. Exit status 0 when every run delivered everything.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "bench/tools/cli_args.h"
#include "bench/tools/proc_stats.h"
#include "bench/uplink_backlog.h"
#include "bench/uplink_counter.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#ifndef EF_EDGEFERRY_PATH
#define EF_EDGEFERRY_PATH "edgeferry"
#endif

namespace ef::bench {
namespace {

using testkit::DeadlineIn;
using testkit::SteadyNow;

struct RunResult {
  std::string mode;
  bool complete = false;
  int exit_status = -1;
  double startup_s = 0;     // daemon start to first arrival
  double drain_s = 0;       // first to last arrival
  double eps = 0, pps = 0;  // events/s, publishes/s over drain_s
  double cpu_drain_s = 0;   // daemon CPU during drain_s
  double cpu_total_s = 0;   // daemon CPU from start to the last arrival
  double cpu_per_100k = 0;  // cpu_drain_s per 100,000 events
  double events_per_publish = 0;
  long peak_rss_kb = 0;
  CounterSnapshot counts;
};

struct Setup {
  uint64_t count;
  std::string edgeferry;
  std::filesystem::path work;
  std::filesystem::path backlog;  // the template queue.db
  std::string edge_uri, cloud_uri;
  testkit::SteadyClock::duration timeout;
};

std::string ConfigText(const Setup& s, const std::filesystem::path& data, const std::string& mode) {
  std::ostringstream toml;
  toml << "[gateway]\nid = \"gw-bench\"\ndata_dir = \"" << data.string() << "\"\n\n"
       << "[[sources.mqtt]]\nname = \"idle-edge\"\nuri = \"" << s.edge_uri << "\"\n"
       << "topics = [\"plant/+/telemetry\"]\n\n"
       << "[uplink]\nuri = \"" << s.cloud_uri << "\"\nclient_id = \"edgeferry-bench\"\n"
       << "batch = \"" << mode << "\"\n";
  return toml.str();
}

RunResult RunMode(const Setup& s, const std::string& mode, UplinkCounter& counter) {
  RunResult r;
  r.mode = mode;
  const std::filesystem::path dir = s.work / mode;
  const std::filesystem::path data = dir / "data";
  std::filesystem::create_directories(data);
  std::filesystem::copy_file(s.backlog, data / "queue.db");
  if (std::filesystem::exists(s.backlog.string() + "-wal")) {
    std::filesystem::copy_file(s.backlog.string() + "-wal", data / "queue.db-wal");
  }
  testkit::WriteFile(dir / "edgeferry.toml", ConfigText(s, data, mode));
  counter.Reset();

  const auto deadline = DeadlineIn(s.timeout);
  const auto started = SteadyNow();
  testkit::Process daemon(testkit::ProcessOptions{
      .argv = {s.edgeferry, "run", "--config", (dir / "edgeferry.toml").string()},
      .env = {},
      .log_file = dir / "edgeferry.log"});
  if (counter.WaitForFirst(deadline)) {
    const double cpu_first = ProcessCpuSeconds(daemon.pid());
    r.complete = counter.WaitForDistinct(s.count, deadline);
    r.cpu_total_s = ProcessCpuSeconds(daemon.pid());
    r.cpu_drain_s = r.cpu_total_s - cpu_first;
  }
  r.peak_rss_kb = ProcessPeakRssKb(daemon.pid());
  daemon.Signal(SIGTERM);
  r.exit_status = daemon.Wait(DeadlineIn(std::chrono::seconds(30))).value_or(-1);
  if (r.exit_status == -1) daemon.Kill();
  r.counts = counter.Snapshot();
  if (r.counts.first && r.counts.last) {
    r.startup_s = Seconds(*r.counts.first - started);
    r.drain_s = Seconds(*r.counts.last - *r.counts.first);
  }
  if (r.drain_s > 0) {
    r.eps = static_cast<double>(r.counts.distinct) / r.drain_s;
    r.pps = static_cast<double>(r.counts.messages) / r.drain_s;
  }
  if (r.counts.distinct > 0)
    r.cpu_per_100k = r.cpu_drain_s * 1e5 / static_cast<double>(r.counts.distinct);
  if (r.counts.messages > 0) {
    r.events_per_publish =
        static_cast<double>(r.counts.events) / static_cast<double>(r.counts.messages);
  }
  if (!r.complete || r.exit_status != 0) {
    std::string log = daemon.Log();
    if (log.size() > 3000) log = "..." + log.substr(log.size() - 3000);
    std::cerr << "ef-bench-uplink: " << mode << " run incomplete or failed; daemon log:\n" << log;
  }
  return r;
}

void PrintRun(const RunResult& r, uint64_t count) {
  std::printf(
      "%-6s %s %llu/%llu events in %.2f s: %.0f events/s, %.0f publishes/s "
      "(%.1f events per publish), daemon CPU %.2f s per 100k events "
      "(%.2f s during the drain, %.2f s in all), start-up %.2f s, peak RSS %ld kB, "
      "duplicates %llu, exit %d\n",
      r.mode.c_str(), r.complete ? "complete" : "INCOMPLETE",
      static_cast<unsigned long long>(r.counts.distinct), static_cast<unsigned long long>(count),
      r.drain_s, r.eps, r.pps, r.events_per_publish, r.cpu_per_100k, r.cpu_drain_s, r.cpu_total_s,
      r.startup_s, r.peak_rss_kb,
      static_cast<unsigned long long>(r.counts.events - r.counts.distinct), r.exit_status);
}

std::string Json(const Setup& s, double backlog_eps, const std::vector<RunResult>& runs) {
  char buf[256];
  std::string out = "{\"bench\":\"uplink\",\"count\":" + std::to_string(s.count);
  std::snprintf(buf, sizeof buf, ",\"backlog_eps\":%.0f", backlog_eps);
  out += buf;
  const RunResult* none = nullptr;
  const RunResult* batched = nullptr;
  bool complete = true;
  uint64_t duplicates = 0, malformed = 0;
  for (const RunResult& r : runs) {
    std::snprintf(buf, sizeof buf,
                  ",\"%s_eps\":%.0f,\"%s_pps\":%.1f,\"%s_cpu_s_per_100k\":%.3f,"
                  "\"%s_events_per_publish\":%.1f,\"%s_exit\":%d",
                  r.mode.c_str(), r.eps, r.mode.c_str(), r.pps, r.mode.c_str(), r.cpu_per_100k,
                  r.mode.c_str(), r.events_per_publish, r.mode.c_str(), r.exit_status);
    out += buf;
    complete = complete && r.complete && r.exit_status == 0;
    duplicates += r.counts.events - r.counts.distinct;
    malformed += r.counts.malformed;
    if (r.mode == "none") none = &r;
    if (r.mode != "none" && !batched) batched = &r;
  }
  if (none && batched && none->eps > 0 && batched->cpu_per_100k > 0) {
    std::snprintf(buf, sizeof buf, ",\"ratio\":%.2f,\"cpu_ratio\":%.2f", batched->eps / none->eps,
                  none->cpu_per_100k / batched->cpu_per_100k);
    out += buf;
  }
  out += ",\"duplicates\":" + std::to_string(duplicates) +
         ",\"malformed\":" + std::to_string(malformed) +
         ",\"complete\":" + (complete ? "true" : "false") + "}";
  return out;
}

std::vector<std::string> SplitModes(const std::string& text) {
  std::vector<std::string> modes;
  std::istringstream in(text);
  for (std::string mode; std::getline(in, mode, ',');) {
    if (mode != "none" && mode != "json" && mode != "ndjson") {
      throw std::invalid_argument("--modes: none, json or ndjson, not " + mode);
    }
    modes.push_back(mode);
  }
  return modes;
}

int Run(const CliArgs& args) {
  testkit::TempDir work("ef-bench-uplink");
  Setup s{.count = static_cast<uint64_t>(args.Int("count", 1'000'000)),
          .edgeferry = args.String("edgeferry", EF_EDGEFERRY_PATH),
          .work = work.path(),
          .backlog = work.Subdir("backlog") / "queue.db",
          .edge_uri = {},
          .cloud_uri = {},
          .timeout = std::chrono::seconds(args.Int("timeout", 900))};
  const std::vector<std::string> modes = SplitModes(args.String("modes", "none,json"));
  if (s.count == 0) throw std::invalid_argument("--count must be positive");

  const auto build_start = SteadyNow();
  Result<uint64_t> max_seq = BuildBacklog({.db_path = s.backlog.string(), .events = s.count});
  if (!max_seq.ok()) {
    std::cerr << "ef-bench-uplink: backlog: " << max_seq.status().ToString() << "\n";
    return 1;
  }
  const double backlog_eps = static_cast<double>(s.count) / Seconds(SteadyNow() - build_start);
  std::printf("backlog  %llu events stored in %.1f s (%.0f events/s), %.0f MB\n",
              static_cast<unsigned long long>(s.count), Seconds(SteadyNow() - build_start),
              backlog_eps, static_cast<double>(std::filesystem::file_size(s.backlog)) / 1e6);

  testkit::BrokerOptions edge_options, cloud_options;
  edge_options.name = "bench-edge";
  cloud_options.name = "bench-cloud";
  testkit::MosquittoBroker edge(edge_options), cloud(cloud_options);
  if (!edge.Start(DeadlineIn(std::chrono::seconds(10))) ||
      !cloud.Start(DeadlineIn(std::chrono::seconds(10)))) {
    std::cerr << "ef-bench-uplink: brokers did not start:\n" << edge.Log() << cloud.Log();
    return 1;
  }
  s.edge_uri = edge.uri();
  s.cloud_uri = cloud.uri();
  UplinkCounter counter(cloud.uri(), *max_seq, static_cast<int>(args.Int("sub-qos", 1)));
  std::string error;
  if (!counter.Start(DeadlineIn(std::chrono::seconds(15)), &error)) {
    std::cerr << "ef-bench-uplink: subscriber: " << error << "\n";
    return 1;
  }

  std::vector<RunResult> runs;
  for (const std::string& mode : modes) {
    runs.push_back(RunMode(s, mode, counter));
    PrintRun(runs.back(), s.count);
  }
  std::cout << Json(s, backlog_eps, runs) << std::endl;
  for (const RunResult& r : runs) {
    if (!r.complete || r.exit_status != 0 || r.counts.malformed > 0) return 1;
  }
  return 0;
}

}  // namespace
}  // namespace ef::bench

int main(int argc, char** argv) {
  try {
    return ef::bench::Run(ef::bench::CliArgs(argc, argv, {}));
  } catch (const std::exception& e) {
    std::cerr << "ef-bench-uplink: " << e.what() << "\n";
    return 2;
  }
}
