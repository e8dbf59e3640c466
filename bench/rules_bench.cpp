// ef-bench-rules: the rules engine in-process, on one core, against a pass-through in the
// same run.
//
//   ef-bench-rules [--events 1000000] [--devices 1000] [--rules 50] [--group 1000] [--rounds 3]
//   ef-bench-rules --write-rules DIR [--rules 50]     (the same rules as a rule file, for the
//                                                     daemon run of bench/rules.sh)
//
// The rules are a fixed mix (RuleText below): tumbling, hopping, session, count and sliding
// (an output per event) windows over temp / humidity / vibration with mixed aggregates (percentiles too),
// each rule on a tenth of the devices by a device glob (dev-0*, dev-1*, ...), as rules for
// one device type each would be; the tool prints how many rules each event matched on
// average. Events: `devices` devices ("dev-000".."dev-999"), each sending one reading a second
// of event time, three fields, in pipeline groups of `group` events. Both runs copy every
// group from the same pre-built events and run it through a RulesStage: with no rules (the
// pass-through) and with the rules; checkpoints are written as in the daemon (the state
// entries are built, counted in bytes per event, and dropped). Both run `rounds` times,
// alternately, each time afresh; the median round of each is reported (the machine may be
// shared). The last line is JSON.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/tools/cli_args.h"
#include "core/metrics.h"
#include "rules/rule_kinds.h"
#include "rules/rule_loader.h"
#include "rules/rules_stage.h"

namespace {

using ef::Event;
using SteadyClock = std::chrono::steady_clock;

// The i-th rule of the mix.
std::string RuleText(int i) {
  static const char* kFields[] = {"temp", "humidity", "vibration"};
  static const char* kAggregates[] = {
      R"(["count", "mean", "min", "max"])", R"(["sum", "stddev", "last"])",
      R"(["p50", "p95", "p99"])", R"(["first", "last", "delta", "rate"])", R"(["mean", "p90"])"};
  static const char* kWindows[] = {
      "window = \"tumbling\"\nsize = \"10s\"\n",
      "window = \"hopping\"\nsize = \"30s\"\nhop = \"10s\"\n",
      "window = \"session\"\ngap = \"5s\"\nmax_length = \"1m\"\n",
      "window = \"count\"\nevents = 20\n",
      "window = \"sliding\"\nsize = \"30s\"\nlateness = \"5s\"\n",
  };
  std::string text = "[[rule]]\nname = \"bench-" + std::to_string(i) + "\"\nkind = \"window\"\n";
  text += kWindows[(i / 10) % 5];
  text += "device = \"dev-" + std::to_string(i % 10) + "*\"\n";
  text += std::string("fields = [\"") + kFields[i % 3] + "\"]\n";
  text += std::string("aggregates = ") + kAggregates[(i / 3) % 5] + "\n";
  text += "idle_timeout = \"2m\"\n\n";
  return text;
}

std::string RulesText(int rules) {
  std::string text;
  for (int i = 0; i < rules; ++i) text += RuleText(i);
  return text;
}

std::vector<Event> MakeEvents(int64_t count, int devices) {
  std::vector<Event> events;
  events.reserve(static_cast<size_t>(count));
  const int64_t base = 1'764'000'000'000;
  for (int64_t i = 0; i < count; ++i) {
    const int d = static_cast<int>(i % devices);
    const int64_t k = i / devices;
    char name[16];
    std::snprintf(name, sizeof name, "dev-%03d", d);
    Event& e = events.emplace_back();
    e.stream = "telemetry";
    e.device_id = name;
    e.origin = std::string("plant/") + name + "/telemetry";
    e.event_time_ms = base + k * 1000 + d;
    e.ingest_time_ms = e.event_time_ms;
    e.fields = {{"temp", 18.0 + static_cast<double>(k % 700) / 100},
                {"humidity", 40.0 + static_cast<double>(k % 300) / 10},
                {"vibration", static_cast<double>((k * 7 + d) % 50) / 1000}};
  }
  return events;
}

struct RunResult {
  double seconds = 0;
  uint64_t outputs = 0;
  uint64_t state_entries = 0;
  uint64_t state_bytes = 0;  // keys and values handed to the commits
};

RunResult Run(ef::rules::RulesStage& stage, const std::vector<Event>& events, size_t group_size) {
  RunResult result;
  std::vector<Event> group_events;
  std::vector<ef::StateEntry> state;
  ef::Clock::TimePoint now{std::chrono::seconds(1)};
  const auto start = SteadyClock::now();
  for (size_t first = 0; first < events.size(); first += group_size) {
    const size_t last = std::min(events.size(), first + group_size);
    group_events.assign(events.begin() + static_cast<ptrdiff_t>(first),
                        events.begin() + static_cast<ptrdiff_t>(last));
    state.clear();
    now += std::chrono::milliseconds(10);
    ef::StageGroup group{group_events, state, now, events[first].event_time_ms};
    stage.Process(group);
    result.outputs += group_events.size() - (last - first);
    result.state_entries += state.size();
    for (const ef::StateEntry& entry : state) {
      result.state_bytes += entry.key.size() + entry.value.size();
    }
  }
  result.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  return result;
}

// The run of median time.
RunResult Median(std::vector<RunResult> runs) {
  std::sort(runs.begin(), runs.end(),
            [](const RunResult& a, const RunResult& b) { return a.seconds < b.seconds; });
  return runs[runs.size() / 2];
}

ef::rules::RuleSet Load(const std::string& text) {
  ef::rules::RuleSet set;
  const auto errors =
      ef::rules::LoadRuleText(text, "bench.toml", ef::rules::BuiltinRuleKinds(), &set);
  for (const std::string& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
  return set;
}

long PeakRssKb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

int Main(const ef::bench::CliArgs& args) {
  const int rules = static_cast<int>(args.Int("rules", 50));
  if (args.Has("write-rules")) {
    const std::string path = args.String("write-rules", ".") + "/bench.toml";
    std::ofstream(path) << RulesText(rules);
    std::fprintf(stderr, "ef-bench-rules: wrote %d rules to %s\n", rules, path.c_str());
    return 0;
  }
  const int64_t count = args.Int("events", 1'000'000);
  const int devices = static_cast<int>(args.Int("devices", 1000));
  const auto group = static_cast<size_t>(args.Int("group", 1000));
  const std::vector<Event> events = MakeEvents(count, devices);
  const long rss_events_kb = PeakRssKb();

  const int rounds = static_cast<int>(args.Int("rounds", 3));
  if (rounds < 1) throw std::invalid_argument("--rounds must be at least 1");
  // Each round: a fresh pass-through and a fresh engine (empty windows) over the same events.
  // The median round of each is reported: the machine is shared and one run can be slowed.
  ef::MetricsRegistry metrics;
  std::vector<RunResult> bases, withs;
  for (int r = 0; r < rounds; ++r) {
    ef::rules::RulesStage pass(ef::rules::RuleSet{}, metrics);
    bases.push_back(Run(pass, events, group));
    ef::rules::RulesStage stage(Load(RulesText(rules)), metrics);
    withs.push_back(Run(stage, events, group));
  }
  const long rss_kb = PeakRssKb();
  std::string round_eps;
  for (const RunResult& r : withs) {
    round_eps += (round_eps.empty() ? "" : ", ") +
                 std::to_string(static_cast<long long>(static_cast<double>(count) / r.seconds));
  }
  const RunResult base = Median(bases);
  const RunResult with = Median(withs);

  const double base_eps = static_cast<double>(count) / base.seconds;
  const double rules_eps = static_cast<double>(count) / with.seconds;
  const double matched =
      static_cast<double>(metrics.CounterTotal("edgeferry_rule_events_total")) /
      static_cast<double>(count * rounds);
  double state_bytes = 0;
  for (const auto& family : metrics.Snapshot()) {
    if (family.name != "edgeferry_rules_state_bytes") continue;
    for (const auto& s : family.series) state_bytes = std::get<double>(s.value);
  }
  std::printf("events %lld, devices %d, rules %d, group %zu; each event matched %.2f rules\n",
              static_cast<long long>(count), devices, rules, group, matched);
  std::printf("pass-through: %.0f events/s (%.3f s; the median of %d rounds)\n", base_eps,
              base.seconds, rounds);
  const double state_per_event =
      static_cast<double>(with.state_bytes) / static_cast<double>(count);
  std::printf("rules:        %.0f events/s (%.3f s), %llu outputs, %llu state entries written "
              "(%.1f bytes per event)\n",
              rules_eps, with.seconds, static_cast<unsigned long long>(with.outputs),
              static_cast<unsigned long long>(with.state_entries), state_per_event);
  std::printf("rules, each round: %s events/s (the median above)\n", round_eps.c_str());
  std::printf("open state %.0f bytes; peak RSS %ld kB (%ld kB of it the pre-built events)\n",
              state_bytes, rss_kb, rss_events_kb);
  std::printf(
      "{\"bench\":\"rules_inprocess\",\"events\":%lld,\"devices\":%d,\"rules\":%d,\"rounds\":%d,"
      "\"matched_per_event\":%.2f,\"passthrough_eps\":%.0f,\"rules_eps\":%.0f,\"ratio\":%.3f,"
      "\"outputs\":%llu,\"state_bytes\":%.0f,\"state_written_per_event\":%.1f,"
      "\"peak_rss_kb\":%ld,\"events_rss_kb\":%ld}\n",
      static_cast<long long>(count), devices, rules, rounds, matched, base_eps, rules_eps,
      rules_eps / base_eps, static_cast<unsigned long long>(with.outputs), state_bytes,
      state_per_event, rss_kb, rss_events_kb);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(ef::bench::CliArgs(argc, argv, {}));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ef-bench-rules: %s\n", e.what());
    return 2;
  }
}
