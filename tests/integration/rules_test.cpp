// The rules engine in the real daemon, between real Mosquitto brokers:
// - kill -9 mid-window, several times, while telemetry keeps coming: every committed event is
//   counted in exactly one window output, and no window is emitted twice (the windows' state
//   is committed with the events and outputs of its group, and restored at start);
// - reload: a changed rule file is picked up without a signal, an invalid one is refused with
//   file:line:col in the log while the running rules go on, SIGHUP reloads too.
// - decoded fields in event time: a JSON source's temp averaged per 10 s window of its own
//   time field, a late event, raw input dropped.
// The first two use the ingest time as event time (no decoder) and count events, so they check
// completeness without depending on decoded fields.
#include <doctest/doctest.h>

#include <csignal>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "tests/integration/gateway_rig.h"
#include "tests/integration/steady_publish.h"
#include "tests/support/envelope.h"
#include "tests/support/test_publisher.h"

namespace ef::testkit {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kDevices = 8;
constexpr int kRate = 800;
constexpr int kKills = 10;

void WriteRules(const GatewayRig& rig, const std::string& file, const std::string& text) {
  const auto dir = rig.config_file().parent_path() / "rules.d";
  std::filesystem::create_directories(dir);
  const auto tmp = dir / (file + ".tmp");
  std::ofstream(tmp) << text;
  std::filesystem::rename(tmp, dir / file);  // the watcher never sees half a file
}

const char kWindowRule[] = R"([[rule]]
name = "per-second"
kind = "window"
window = "tumbling"
size = "1s"
lateness = "200ms"
idle_timeout = "2s"
)";

// What reached the cloud, per device: telemetry seqs, and per window (start) the count.
struct CloudView {
  std::map<std::string, std::set<int64_t>> telemetry;
  std::map<std::string, std::map<int64_t, int64_t>> windows;  // device -> start -> count
  size_t duplicate_windows = 0;
  std::map<std::string, size_t> outputs_by_rule;
};

CloudView View(const CloudCollector& collector) {
  EnvelopeParser parser;
  CloudView view;
  std::set<int64_t> seen_seqs;
  for (const Arrival& a : collector.Arrivals()) {
    if (!a.envelope || !a.envelope->seq) continue;
    const Envelope& e = *a.envelope;
    if (!seen_seqs.insert(*e.seq).second) continue;  // a QoS 1 redelivery
    if (e.stream == "telemetry") view.telemetry[e.device].insert(*e.seq);
    if (e.stream != "aggregates" || !e.payload) continue;
    const size_t rule_at = e.payload->find(R"("rule":")");
    if (rule_at != std::string::npos) {
      const size_t from = rule_at + 8;
      ++view.outputs_by_rule[e.payload->substr(from, e.payload->find('"', from) - from)];
    }
    if (e.payload->find(R"("rule":"per-second")") == std::string::npos) continue;
    const auto start = parser.IntField(*e.payload, "window_start");
    const auto count = parser.IntField(*e.payload, "count");
    if (!start || !count) continue;
    auto [it, fresh] = view.windows[e.device].emplace(*start, *count);
    if (!fresh) ++view.duplicate_windows;
  }
  return view;
}

// Every telemetry event of every device is counted by the windows, exactly.
bool AllCounted(const CloudView& view, std::string* why) {
  for (const auto& [device, seqs] : view.telemetry) {
    int64_t counted = 0;
    auto windows = view.windows.find(device);
    if (windows != view.windows.end()) {
      for (const auto& [start, count] : windows->second) counted += count;
    }
    if (counted != static_cast<int64_t>(seqs.size())) {
      *why = device + ": " + std::to_string(seqs.size()) + " events, windows count " +
             std::to_string(counted);
      return false;
    }
  }
  return !view.telemetry.empty();
}

TEST_CASE("rules: kill -9 mid-window again and again: no window emitted twice, none lost") {
  GatewayOptions options;
  options.queue_toml = "commit_interval_ms = 10\ncommit_max_events = 500\n";
  GatewayRig rig(options);
  WriteRules(rig, "windows.toml", kWindowRule);
  CloudCollector collector(rig.CloudCollectorOptions());
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));
  {
    SteadyPublish publish(rig.edge().uri(), SteadyLoad{.devices = kDevices, .rate = kRate});
    REQUIRE_MESSAGE(collector.WaitForCount(200, DeadlineIn(seconds(30))), publish.error());
    std::mt19937 rng(20261130);
    std::uniform_int_distribution<int> delay_ms(300, 1700);  // often inside a 1 s window
    for (int k = 0; k < kKills; ++k) {
      CAPTURE(k + 1);
      HoldUntil(DeadlineIn(milliseconds(delay_ms(rng))));  // the random moment of the kill
      rig.KillDaemon();
      REQUIRE_MESSAGE(rig.StartDaemon(DeadlineIn(seconds(30))), "restart after kill " << k + 1);
    }
    REQUIRE_MESSAGE(publish.Stop(DeadlineIn(seconds(60))), publish.error());
  }
  // The idle timeout closes every device's last window once the stream stopped.
  std::string why;
  const bool counted = WaitUntil(
      DeadlineIn(seconds(60)), [&] { return AllCounted(View(collector), &why); },
      milliseconds(200));
  CHECK_MESSAGE(counted, why);
  const CloudView view = View(collector);
  CHECK(view.duplicate_windows == 0);
  CHECK(view.telemetry.size() == kDevices);
  size_t windows = 0;
  for (const auto& [device, w] : view.windows) windows += w.size();
  MESSAGE(windows << " windows over " << kKills << " kills");
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
}

TEST_CASE("rules: a changed rule file is reloaded, an invalid one is refused and the rules go on") {
  GatewayOptions options;
  options.queue_toml = "commit_interval_ms = 10\n";
  GatewayRig rig(options);
  WriteRules(rig, "windows.toml", kWindowRule);
  CloudCollector collector(rig.CloudCollectorOptions());
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));
  SteadyPublish publish(rig.edge().uri(), SteadyLoad{.devices = 2, .rate = 200});
  auto outputs_of = [&](const std::string& rule) {
    const auto view = View(collector);
    auto it = view.outputs_by_rule.find(rule);
    return it == view.outputs_by_rule.end() ? size_t{0} : it->second;
  };
  REQUIRE(WaitUntil(DeadlineIn(seconds(30)), [&] { return outputs_of("per-second") >= 2; }));

  WriteRules(rig, "more.toml", "[[rule]]\nname = \"every-50\"\nkind = \"window\"\n"
                               "window = \"count\"\nevents = 50\naggregates = [\"cont\"]\n");
  const std::string bad = (rig.config_file().parent_path() / "rules.d" / "more.toml").string() +
                          ":6:15: unknown aggregate \"cont\" (did you mean \"count\"?)";
  CHECK(WaitUntil(DeadlineIn(seconds(30)),
                  [&] { return rig.FullDaemonLog().find(bad) != std::string::npos; }));
  const size_t before = outputs_of("per-second");
  CHECK(WaitUntil(DeadlineIn(seconds(30)), [&] { return outputs_of("per-second") > before + 2; }));
  CHECK(outputs_of("every-50") == 0);

  WriteRules(rig, "more.toml", "[[rule]]\nname = \"every-50\"\nkind = \"window\"\n"
                               "window = \"count\"\nevents = 50\n");
  CHECK(WaitUntil(DeadlineIn(seconds(30)), [&] { return outputs_of("every-50") >= 2; }));
  std::filesystem::remove(rig.config_file().parent_path() / "rules.d" / "more.toml");
  rig.SignalDaemon(SIGHUP);
  CHECK(WaitUntil(DeadlineIn(seconds(30)), [&] {
    return rig.FullDaemonLog().find("rules reloaded: 1 rule(s)") != std::string::npos;
  }));
  CHECK(rig.DaemonRunning());
  REQUIRE(publish.Stop(DeadlineIn(seconds(30))));
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
}

TEST_CASE("rules: decoded fields in event time: means per window, late event, raw dropped") {
  GatewayOptions options;
  options.queue_toml = "commit_interval_ms = 10\n";
  options.sources_toml =
      "[[sources.mqtt]]\nname = \"decoded\"\nuri = \"{edge_uri}\"\n"
      "client_id = \"edgeferry-rules-decode\"\ntopics = [\"site/#\"]\n"
      "topic_template = \"site/{device}/data\"\ndata_format = \"json\"\n"
      "fields = [\"temp\"]\ntime_field = \"ts\"\ntime_format = \"unix_ms\"\n";
  GatewayRig rig(options);
  WriteRules(rig, "temp.toml", R"([[rule]]
name = "temp-10s"
kind = "window"
window = "tumbling"
size = "10s"
idle_timeout = "2s"
fields = ["temp"]
aggregates = ["mean", "min", "max", "p50"]
raw = "drop"
)");
  CloudCollector collector(rig.CloudCollectorOptions());
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));
  TestPublisher publisher(rig.EdgePublisherOptions());
  REQUIRE_MESSAGE(publisher.Connect(DeadlineIn(seconds(15))), publisher.error());
  const int64_t base = 1'700'000'000'000;  // a multiple of 10 s
  auto publish = [&](int64_t i) {
    const std::string payload = R"({"ts":)" + std::to_string(base + i * 1000) +
                                R"(,"temp":)" + std::to_string(i) + "}";
    REQUIRE(publisher.Publish("site/pump-1/data", payload, DeadlineIn(seconds(10))));
  };
  for (int64_t i = 0; i < 25; ++i) publish(i);
  publish(3);  // window [0 s, 10 s) closed at 10 s: late
  REQUIRE(publisher.WaitAllAcked(DeadlineIn(seconds(10))));
  // Two windows close on event time, the third on the idle timeout.
  auto aggregates = [&] {
    std::vector<Envelope> out;
    for (const Arrival& a : collector.Arrivals()) {
      if (a.envelope && a.envelope->stream == "aggregates") out.push_back(*a.envelope);
    }
    return out;
  };
  REQUIRE(WaitUntil(DeadlineIn(seconds(30)), [&] { return aggregates().size() >= 3; }));
  const std::vector<Envelope> windows = aggregates();
  REQUIRE(windows.size() == 3);
  EnvelopeParser parser;
  const double means[] = {4.5, 14.5, 22};
  for (size_t w = 0; w < 3; ++w) {
    CAPTURE(*windows[w].payload);
    CHECK(windows[w].device == "pump-1");
    CHECK(parser.IntField(*windows[w].payload, "window_start") ==
          base + static_cast<int64_t>(w) * 10000);
    char mean[48];
    std::snprintf(mean, sizeof mean, R"("temp_mean":%g)", means[w]);
    CHECK(windows[w].payload->find(mean) != std::string::npos);
  }
  CHECK(parser.IntField(*windows[0].payload, "count") == 10);
  CHECK(windows[2].payload->find(R"("partial":true)") != std::string::npos);
  for (const Arrival& a : collector.Arrivals()) {
    CHECK((!a.envelope || a.envelope->stream != "telemetry"));  // raw = "drop"
  }
  CHECK(WaitUntil(DeadlineIn(seconds(30)), [&] {
    for (const Arrival& a : collector.Arrivals()) {
      if (a.envelope && a.envelope->stream == "late") return true;
    }
    return false;
  }));
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
}

}  // namespace
}  // namespace ef::testkit
