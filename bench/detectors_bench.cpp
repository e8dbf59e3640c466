// ef-bench-detectors: anomaly detection throughput, in-process, on one core.
//
//  1. Each detector type alone: Observe() calls per second on a noisy sine.
//  2. The rules engine (rules::RulesStage, as the daemon runs it) with 50 detector rules of
//     mixed types over DEVICES devices (without, then with the adaptive detector), events in
//     groups of 256 with each group's state (a journal record, now and then snapshots)
//     built as the daemon commits it, against
//     the same engine with no rules in the same run (EVENTS events; a tenth with adaptive).
// Prints one line per figure, then one JSON line.
//   ef-bench-detectors [EVENTS] [DEVICES]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "rules/detectors/detector_config.h"
#include "rules/rule_kinds.h"
#include "rules/rule_loader.h"
#include "rules/rules_stage.h"

namespace {

using ef::rules::DetectorType;

constexpr const char* kTypes[] = {"threshold", "rate",     "zscore", "robust_z",
                                  "ewma",      "flatline", "adaptive"};

double Signal(int64_t i, int device) {
  return 50.0 + 10.0 * std::sin(static_cast<double>(i) / 50.0 + device) +
         static_cast<double>((i * 7919 + device * 104729) % 1000) / 500.0;
}

double Seconds(const ef::Clock& clock, ef::Clock::TimePoint since) {
  return std::chrono::duration<double>(clock.Now() - since).count();
}

// 50 rules cycling through the first `kinds` types of kTypes (7: adaptive included).
std::string RulesText(int kinds) {
  std::string text;
  for (int i = 0; i < 50; ++i) {
    const std::string type = kTypes[i % kinds];
    text += "[[rule]]\nname = \"d" + std::to_string(i) + "\"\nkind = \"detector\"\n" +
            "fields = [\"temp\"]\ndetector = \"" + type + "\"\n";
    if (type == "threshold") text += "limit = 70\n";
    if (type == "rate") text += "max_per_s = 5\n";
  }
  return text;
}

// Events per second through `stage`, `events` events over `devices` devices.
double EngineRate(ef::rules::RulesStage& stage, int64_t events, int devices,
                  const ef::Clock& clock) {
  const auto start = clock.Now();
  int64_t done = 0;
  while (done < events) {
    std::vector<ef::Event> group;
    for (int k = 0; k < 256 && done < events; ++k, ++done) {
      ef::Event e;
      e.stream = "telemetry";
      const int device = static_cast<int>(done % devices);
      e.device_id = "dev-" + std::to_string(device);
      e.event_time_ms = 1'700'000'000'000 + (done / devices) * 1000;
      e.fields.push_back({"temp", Signal(done / devices, device)});
      group.push_back(std::move(e));
    }
    std::vector<ef::StateEntry> state;
    const int64_t t = group.back().event_time_ms;
    ef::StageGroup g{group, state, ef::Clock::TimePoint(std::chrono::milliseconds(t)), t};
    stage.Process(g);
  }
  return static_cast<double>(events) / Seconds(clock, start);
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t events = argc > 1 ? std::atoll(argv[1]) : 200'000;
  const int devices = argc > 2 ? std::atoi(argv[2]) : 100;
  const ef::SystemClock clock;
  std::string json = "{\"bench\":\"detectors\"";
  for (int t = 0; t < 7; ++t) {
    ef::rules::DetectorKeys keys;
    keys.type = static_cast<DetectorType>(t == 6 ? 7 : t);  // skip "missing": it only ticks
    keys.limit = 70;
    keys.max_per_s = 5;
    auto detector = ef::rules::MakeDetector(keys);
    const int64_t n = t == 6 ? 200'000 : 2'000'000;
    const auto start = clock.Now();
    int anomalies = 0;
    for (int64_t i = 0; i < n; ++i) anomalies += detector->Observe(i * 1000, Signal(i, 0)).anomalous;
    const double rate = static_cast<double>(n) / Seconds(clock, start);
    std::printf("detector %-9s %12.0f observations/s (%d anomalous)\n",
                std::string(detector->kind()).c_str(), rate, anomalies);
    json += ",\"" + std::string(detector->kind()) + "_obs_per_s\":" + std::to_string(llround(rate));
  }
  ef::MetricsRegistry metrics;
  ef::rules::RuleSet none;
  ef::rules::RulesStage pass(std::move(none), metrics, {.name = "pass"});
  const double pass_rate = EngineRate(pass, events, devices, clock);
  std::printf("engine, no rules (pass-through) %12.0f events/s\n", pass_rate);
  json += ",\"devices\":" + std::to_string(devices) +
          ",\"pass_events_per_s\":" + std::to_string(llround(pass_rate));
  // With and without the adaptive detector: its learned state (tens of KB per group) makes
  // the snapshots large.
  for (const int kinds : {6, 7}) {
    ef::rules::RuleSet set;
    const auto errors = ef::rules::LoadRuleText(RulesText(kinds), "bench.toml",
                                                ef::rules::BuiltinRuleKinds(), &set);
    if (!errors.empty()) {
      std::fprintf(stderr, "%s\n", errors.front().c_str());
      return 1;
    }
    ef::rules::RulesStage stage(std::move(set), metrics, {.name = "r" + std::to_string(kinds)});
    const int64_t n = kinds == 7 ? std::max<int64_t>(events / 10, 1000) : events;
    const double rate = EngineRate(stage, n, devices, clock);
    const char* what = kinds == 7 ? "50 rules, 7 kinds with adaptive" : "50 rules, 6 kinds, no adaptive";
    std::printf("engine, %-31s %10.0f events/s (%lld events over %d devices, state built per "
                "group of 256)\n", what, rate, static_cast<long long>(n), devices);
    json += std::string(kinds == 7 ? ",\"rules50_adaptive" : ",\"rules50_no_adaptive") +
            "_events_per_s\":" + std::to_string(llround(rate));
  }
  json += "}";
  std::printf("%s\n", json.c_str());
  return 0;
}
