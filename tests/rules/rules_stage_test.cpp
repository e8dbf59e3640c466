// RulesStage: checkpoints and restarts, reloads, idle timeouts on the monotonic time, memory
// bounds, the raw-input policy.
#include "rules/rules_stage.h"

#include <doctest/doctest.h>

#include "tests/rules/rules_harness.h"

namespace ef::rules::testing {
namespace {

using namespace std::chrono_literals;

const std::string kTumbling = R"(
[[rule]]
name = "t"
kind = "window"
window = "tumbling"
size = "10s"
lateness = "1s"
fields = ["temp"]
aggregates = ["count", "mean", "p50", "stddev"]
)";

const std::string kSession = R"(
[[rule]]
name = "s"
kind = "window"
window = "session"
gap = "3s"
)";

std::vector<Event> Workload() {
  std::vector<Event> events;
  for (int i = 0; i < 300; ++i) {
    const std::string device = "dev-" + std::to_string(i % 3);
    // Slightly out of order, with pauses that end sessions.
    const int64_t t = i * 700 + (i % 4 == 1 ? -600 : 0) + (i / 50) * 5000;
    events.push_back(Reading(device, t, {{"temp", static_cast<double>(i % 17)}}));
  }
  return events;
}

std::vector<std::string> Payloads(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) {
    if (e.stream == "aggregates") out.push_back(e.payload);
  }
  return out;
}

TEST_CASE("a restart from the checkpoint at any group emits exactly what an uninterrupted run "
          "does") {
  const std::string rules = kTumbling + kSession;
  const std::vector<Event> events = Workload();
  RulesHarness straight(rules);
  std::vector<std::string> expected;
  for (const Event& e : events) {
    for (auto& p : Payloads(straight.Feed(e))) expected.push_back(p);
  }
  REQUIRE(expected.size() > 50);
  for (size_t restart_every : {1, 7, 40}) {
    RulesHarness h(rules);
    std::vector<std::string> got;
    for (size_t i = 0; i < events.size(); ++i) {
      if (i % restart_every == 0) h.Restart(rules);
      for (auto& p : Payloads(h.Feed(events[i]))) got.push_back(p);
    }
    CHECK(got == expected);
  }
}

TEST_CASE("only groups that changed are written; a changed definition discards old state") {
  RulesHarness h(kTumbling);
  h.Feed(Reading("a", 1000, {{"temp", 1.0}}));
  h.Feed(Reading("b", 1000, {{"temp", 1.0}}));
  CHECK(h.committed().size() == 2);
  CHECK(h.committed().count("t/a") == 1);
  std::vector<Event> one{Reading("a", 2000, {{"temp", 2.0}})};
  std::vector<StateEntry> state;
  StageGroup group{one, state, Clock::TimePoint(200s), 0};
  h.stage().Process(group);
  REQUIRE(state.size() == 1);
  CHECK(state[0].key == "t/a");
  std::string changed = kTumbling;
  changed.replace(changed.find("10s"), 3, "20s");
  h.Restart(changed);
  CHECK(h.Counter("edgeferry_rules_state_discarded_total") == 2);
  h.Feed(Reading("c", 1000, {{"temp", 1.0}}));
  CHECK(h.committed().size() == 1);  // the stale groups were erased
}

TEST_CASE("idle timeout: a silent group's windows close on the monotonic time, marked partial") {
  RulesHarness h(kTumbling + "idle_timeout = \"30s\"\n");
  h.Feed(Reading("a", 1000, {{"temp", 5.0}}));
  h.Advance(10s);
  h.Feed(Reading("b", 1000, {{"temp", 7.0}}));
  CHECK(h.Advance(19s).empty());
  auto out = On(h.Advance(2s), "aggregates");
  REQUIRE(out.size() == 1);
  CHECK(out[0].device_id == "a");
  CHECK(Num(out[0], "partial") == 1);
  CHECK(Num(out[0], "temp_mean") == 5);
  out = On(h.Advance(10s), "aggregates");
  REQUIRE(out.size() == 1);
  CHECK(out[0].device_id == "b");
  CHECK(h.committed().empty());
  CHECK(h.stage().NextTimer() == Stage::kNoTimer);
}

TEST_CASE("after a restart, a restored group that stays silent still closes on the idle timeout") {
  const std::string rules = kTumbling + "idle_timeout = \"30s\"\n";
  RulesHarness h(rules);
  h.Feed(Reading("a", 1000, {{"temp", 5.0}}));
  h.Restart(rules);
  CHECK(h.Advance(29s).empty());
  auto out = On(h.Advance(2s), "aggregates");
  REQUIRE(out.size() == 1);
  CHECK(Num(out[0], "temp_mean") == 5);
  CHECK(h.committed().empty());
}

TEST_CASE("memory bound: past max_groups the least recently used group closes early, counted") {
  RulesHarness h(kTumbling + "max_groups = 2\n");
  h.Feed(Reading("a", 1000, {{"temp", 1.0}}));
  h.Feed(Reading("b", 1000, {{"temp", 2.0}}));
  h.Feed(Reading("a", 2000, {{"temp", 3.0}}));
  auto out = On(h.Feed(Reading("c", 1000, {{"temp", 4.0}})), "aggregates");
  REQUIRE(out.size() == 1);
  CHECK(out[0].device_id == "b");
  CHECK(Num(out[0], "partial") == 1);
  CHECK(h.Counter("edgeferry_rule_groups_evicted_total") == 1);
  CHECK(h.committed().count("t/b") == 0);
}

TEST_CASE("total memory bound over all rules") {
  RulesOptions options;
  options.max_state_bytes = 1;  // every group but the one just used goes
  RulesHarness h(kTumbling, options);
  h.Feed(Reading("a", 1000, {{"temp", 1.0}}));
  auto out = On(h.Feed(Reading("b", 1000, {{"temp", 2.0}})), "aggregates");
  CHECK(out.size() >= 1);
  CHECK(h.Counter("edgeferry_rule_groups_evicted_total") >= 1);
}

TEST_CASE("raw input: keep, drop, or keep only past the deadband") {
  RulesHarness h(R"(
[[rule]]
name = "drop"
kind = "window"
window = "count"
events = 100
device = "d-*"
raw = "drop"

[[rule]]
name = "band"
kind = "window"
window = "count"
events = 100
device = "b-*"
fields = ["temp"]
raw = "deadband"
deadband = 0.5
)");
  CHECK(On(h.Feed(Reading("d-1", 1000)), "telemetry").empty());
  CHECK(On(h.Feed(Reading("x-1", 1000)), "telemetry").size() == 1);  // no rule took it
  std::vector<double> kept;
  for (double v : {20.0, 20.3, 20.6, 20.0, 19.9, 19.4}) {
    for (const Event& e : On(h.Feed(Reading("b-1", 1000, {{"temp", v}})), "telemetry")) {
      kept.push_back(*Num(e, "temp"));
    }
  }
  CHECK(kept == std::vector<double>{20.0, 20.6, 20.0, 19.4});
  CHECK(h.Counter("edgeferry_rule_raw_dropped_total") == 3);
}

TEST_CASE("reload: unchanged rules keep their windows, changed and removed ones close") {
  RulesHarness h(kTumbling + kSession);
  h.Feed(Reading("a", 1000, {{"temp", 1.0}}));
  h.Feed(Reading("a", 2000, {{"temp", 3.0}}));
  std::string changed = kSession;
  changed.replace(changed.find("3s"), 2, "4s");
  h.stage().Offer(LoadOrFail(kTumbling + changed));
  CHECK(h.stage().NextTimer() <= Clock::TimePoint(100s));
  auto out = On(h.Advance(0s), "aggregates");
  REQUIRE(out.size() == 1);  // the old session, closed
  CHECK(out[0].payload.find(R"("rule":"s")") != std::string::npos);
  CHECK(Num(out[0], "partial") == 1);
  out = On(h.Feed(Reading("a", 11000, {{"temp", 5.0}})), "aggregates");
  REQUIRE(out.size() == 1);  // the tumbling window kept its two events
  CHECK(Num(out[0], "count") == 2);
  CHECK(Num(out[0], "temp_mean") == 2);
  CHECK(h.Counter("edgeferry_rules_reloads_total") == 1);
  h.stage().Offer(LoadOrFail(kTumbling));
  h.Advance(0s);
  CHECK(h.stage().RuleNames() == std::vector<std::string>{"t"});
  CHECK(h.committed().count("s/a") == 0);
}

}  // namespace
}  // namespace ef::rules::testing
