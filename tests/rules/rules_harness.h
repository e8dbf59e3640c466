// RulesHarness: a RulesStage built from rule-file text, fed events with chosen event times on
// a manual monotonic time, its committed state kept in a map as the store would keep it. For
// the rules engine's unit tests.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "rules/rule_loader.h"
#include "rules/rules_stage.h"

namespace ef::rules::testing {

// Two small rules the engine tests share: "t", 10 s tumbling windows over temp; "s", session
// windows with a 3 s gap.
inline const std::string kTumbling = R"(
[[rule]]
name = "t"
kind = "window"
window = "tumbling"
size = "10s"
lateness = "1s"
fields = ["temp"]
aggregates = ["count", "mean", "p50", "stddev"]
)";

inline const std::string kSession = R"(
[[rule]]
name = "s"
kind = "window"
window = "session"
gap = "3s"
)";

inline RuleSet LoadOrFail(const std::string& text) {
  RuleSet set;
  const std::vector<std::string> errors =
      LoadRuleText(text, "rules.d/test.toml", BuiltinRuleKinds(), &set);
  for (const std::string& e : errors) FAIL_CHECK(e);
  return set;
}

inline Event Reading(const std::string& device, int64_t time_ms,
                     std::vector<Field> fields = {}) {
  Event e;
  e.stream = "telemetry";
  e.device_id = device;
  e.origin = "plant/" + device + "/telemetry";
  e.event_time_ms = time_ms;
  e.ingest_time_ms = time_ms;
  e.format = PayloadFormat::kJson;
  e.fields = std::move(fields);
  return e;
}

// The value of field `name` of `e` as a double (ints too); nullopt when absent.
inline std::optional<double> Num(const Event& e, const std::string& name) {
  for (const Field& f : e.fields) {
    if (f.name != name) continue;
    if (const auto* d = std::get_if<double>(&f.value)) return *d;
    if (const auto* i = std::get_if<int64_t>(&f.value)) return static_cast<double>(*i);
    if (const auto* b = std::get_if<bool>(&f.value)) return *b ? 1.0 : 0.0;
  }
  return std::nullopt;
}

class RulesHarness {
 public:
  explicit RulesHarness(const std::string& text, RulesOptions options = {})
      : options_(options),
        stage_(std::make_unique<RulesStage>(LoadOrFail(text), metrics_, options)) {}

  // Runs one group of events; returns what the stage left (kept inputs, then outputs).
  std::vector<Event> Feed(std::vector<Event> events) {
    std::vector<StateEntry> state;
    StageGroup group{events, state, now_, wall_ms_};
    stage_->Process(group);
    Commit(state);
    return events;
  }
  std::vector<Event> Feed(Event event) { return Feed(std::vector<Event>{std::move(event)}); }
  // Advances the monotonic time by `d`, firing the stage's timers on the way.
  std::vector<Event> Advance(Clock::Duration d) {
    std::vector<Event> produced;
    const Clock::TimePoint until = now_ + d;
    while (stage_->NextTimer() <= until) {
      now_ = std::max(now_, stage_->NextTimer());
      std::vector<Event> events;
      std::vector<StateEntry> state;
      StageGroup group{events, state, now_, wall_ms_};
      stage_->OnTimer(group);
      Commit(state);
      for (Event& e : events) produced.push_back(std::move(e));
    }
    now_ = until;
    return produced;
  }
  // A restart: a new stage with `text` (and the same options) restored from the committed
  // state.
  void Restart(const std::string& text) {
    stage_ = std::make_unique<RulesStage>(LoadOrFail(text), metrics_, options_);
    std::vector<StateEntry> state;
    for (const auto& [key, value] : committed_) state.push_back({key, value, false});
    REQUIRE(stage_->Restore(state).ok());
  }
  RulesStage& stage() { return *stage_; }
  MetricsRegistry& metrics() { return metrics_; }
  const std::map<std::string, std::string>& committed() const { return committed_; }
  uint64_t Counter(const std::string& name) const { return metrics_.CounterTotal(name); }
  // The open groups of rule `rule`, as its gauge says.
  double Groups(const std::string& rule) {
    return metrics_.GetGauge("edgeferry_rule_groups", "A rule's open groups.", {{"rule", rule}})
        .value();
  }
  // How many committed keys start with `prefix`.
  size_t KeysWith(const std::string& prefix) const {
    size_t n = 0;
    for (const auto& [key, value] : committed_) n += key.starts_with(prefix) ? 1 : 0;
    return n;
  }

 private:
  void Commit(const std::vector<StateEntry>& state) {
    for (const StateEntry& entry : state) {
      if (entry.erase) {
        committed_.erase(entry.key);
      } else {
        committed_[entry.key] = entry.value;
      }
    }
  }

  MetricsRegistry metrics_;
  const RulesOptions options_;
  std::unique_ptr<RulesStage> stage_;
  Clock::TimePoint now_{std::chrono::seconds(100)};
  int64_t wall_ms_ = 1'764'000'000'000;
  std::map<std::string, std::string> committed_;
};

// The events of `events` on `stream`.
inline std::vector<Event> On(const std::vector<Event>& events, const std::string& stream) {
  std::vector<Event> out;
  for (const Event& e : events) {
    if (e.stream == stream) out.push_back(e);
  }
  return out;
}

}  // namespace ef::rules::testing
