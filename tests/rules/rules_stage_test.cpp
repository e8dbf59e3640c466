// RulesStage: reloads, idle timeouts on the monotonic time, memory bounds, the raw-input
// policy. Checkpoints and restarts: rules_checkpoint_test.cpp.
#include "rules/rules_stage.h"

#include <doctest/doctest.h>

#include "tests/rules/rules_harness.h"

namespace ef::rules::testing {
namespace {

using namespace std::chrono_literals;

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
  CHECK(h.Groups("t") == 0);
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
  CHECK(h.Groups("t") == 0);
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
  CHECK(h.Groups("t") == 2);
}

TEST_CASE("a device whose group was closed gets a new one: no stale group is fed") {
  RulesHarness h(kTumbling + "max_groups = 1\n");
  std::vector<double> counts;
  for (int round = 0; round < 3; ++round) {
    for (const char* device : {"a", "b"}) {
      for (const Event& e : On(h.Feed(Reading(device, 1000 + round, {{"temp", 1.0}})),
                               "aggregates")) {
        counts.push_back(*Num(e, "count"));
        CHECK(e.device_id != device);  // the other device's group, closed early
      }
    }
  }
  CHECK(counts == std::vector<double>(5, 1.0));  // every closed window held its one event
  CHECK(h.Counter("edgeferry_rule_groups_evicted_total") == 5);
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
  CHECK(h.committed().count("#snapshot/s") == 0);  // the removed rule's state is erased
  CHECK(h.committed().count("#snapshot/t") == 1);
}

}  // namespace
}  // namespace ef::rules::testing
