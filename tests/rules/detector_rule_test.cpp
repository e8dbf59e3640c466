// The "detector" rule kind in the rules engine: alerts as output events on the alerts
// stream, one per transition, per device; state survives a restart; missing data through the
// engine's idle timeout; config errors at their place.
#include "rules/detectors/detector_rule.h"

#include <doctest/doctest.h>

#include <cmath>

#include "tests/rules/rules_harness.h"

namespace ef::rules {
namespace {

using testing::Num;
using testing::On;
using testing::Reading;
using testing::RulesHarness;

const char* const kHot = R"(
[[rule]]
name = "hot"
kind = "detector"
fields = ["temp"]
detector = "threshold"
limit = 80
hysteresis = 5
severity = "critical"
)";

std::string StateOf(const Event& e) {
  for (const Field& f : e.fields) {
    if (f.name == "state") return std::get<std::string>(f.value);
  }
  return "";
}

TEST_CASE("detector rule: raised and cleared reach the alerts stream, per device") {
  RulesHarness h(kHot);
  CHECK(On(h.Feed(Reading("a", 1000, {{"temp", 70.0}})), "alerts").empty());
  auto out = h.Feed({Reading("a", 2000, {{"temp", 85.0}}), Reading("b", 2000, {{"temp", 60.0}})});
  auto alerts = On(out, "alerts");
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].device_id == "a");
  CHECK(StateOf(alerts[0]) == "raised");
  CHECK(Num(alerts[0], "trigger_value") == 85.0);
  CHECK(alerts[0].event_time_ms == 2000);
  CHECK(alerts[0].payload.find("\"severity\":\"critical\"") != std::string::npos);
  CHECK(alerts[0].payload.find("\"rule\":\"hot\"") != std::string::npos);
  CHECK(On(out, "telemetry").size() == 2);  // the raw input is kept
  CHECK(On(h.Feed(Reading("a", 3000, {{"temp", 77.0}})), "alerts").empty());  // hysteresis
  alerts = On(h.Feed(Reading("a", 4000, {{"temp", 74.0}})), "alerts");
  REQUIRE(alerts.size() == 1);
  CHECK(StateOf(alerts[0]) == "cleared");
  CHECK(Num(alerts[0], "alert_id") == 1.0);
}

TEST_CASE("detector rule: an incident open at a restart is cleared after it, same alert") {
  RulesHarness h(kHot);
  REQUIRE(On(h.Feed(Reading("a", 1000, {{"temp", 90.0}})), "alerts").size() == 1);
  h.Restart(kHot);
  CHECK(On(h.Feed(Reading("a", 2000, {{"temp", 95.0}})), "alerts").empty());  // still active
  auto alerts = On(h.Feed(Reading("a", 3000, {{"temp", 10.0}})), "alerts");
  REQUIRE(alerts.size() == 1);
  CHECK(StateOf(alerts[0]) == "cleared");
  CHECK(Num(alerts[0], "alert_id") == 1.0);
  CHECK(Num(alerts[0], "peak_score") == 15.0);
}

TEST_CASE("detector rule: an event older than the group's last is late, not fed") {
  RulesHarness h(kHot);
  h.Feed(Reading("a", 5000, {{"temp", 10.0}}));
  auto out = h.Feed(Reading("a", 4000, {{"temp", 99.0}}));
  CHECK(On(out, "alerts").empty());
  CHECK(On(out, "late").size() == 1);
}

TEST_CASE("detector rule: missing data is raised by time, cleared by the next sample") {
  RulesHarness h(R"(
[[rule]]
name = "silent"
kind = "detector"
fields = ["temp"]
detector = "missing"
timeout = "30s"
)");
  h.Feed(Reading("a", 1000, {{"temp", 10.0}}));
  CHECK(On(h.Advance(std::chrono::seconds(29)), "alerts").empty());
  auto alerts = On(h.Advance(std::chrono::seconds(2)), "alerts");
  REQUIRE(alerts.size() == 1);
  CHECK(StateOf(alerts[0]) == "raised");
  CHECK(alerts[0].event_time_ms == 31000);
  CHECK(On(h.Advance(std::chrono::seconds(120)), "alerts").empty());  // still the same gap
  alerts = On(h.Feed(Reading("a", 200000, {{"temp", 11.0}})), "alerts");
  REQUIRE(alerts.size() == 1);
  CHECK(StateOf(alerts[0]) == "cleared");
  CHECK(Num(alerts[0], "alert_id") == 1.0);
}

TEST_CASE("detector rule: a reload that removes the rule clears its open alert; NaN is ignored") {
  RulesHarness h(kHot);
  CHECK(On(h.Feed(Reading("a", 1000, {{"temp", std::nan("")}})), "alerts").empty());
  REQUIRE(On(h.Feed(Reading("a", 2000, {{"temp", 90.0}})), "alerts").size() == 1);
  h.stage().Offer(testing::LoadOrFail(""));
  auto alerts = On(h.Feed(Reading("a", 3000, {{"temp", 95.0}})), "alerts");
  REQUIRE(alerts.size() == 1);
  CHECK(StateOf(alerts[0]) == "cleared");
  CHECK(alerts[0].payload.find("\"reason\":\"rule removed or changed\"") != std::string::npos);
}

TEST_CASE("detector rule: errors name the file and place") {
  RuleSet set;
  const auto errors = LoadRuleText(
      "[[rule]]\nname = \"x\"\nkind = \"detector\"\ndetector = \"treshold\"\n",
      "rules.d/a.toml", BuiltinRuleKinds(), &set);
  REQUIRE(errors.size() >= 2);
  bool hint = false, fields = false;
  for (const std::string& e : errors) {
    hint = hint || (e.find("rules.d/a.toml:4:") == 0 && e.find("threshold") != std::string::npos);
    fields = fields || e.find("needs 'fields'") != std::string::npos;
  }
  CHECK(hint);
  CHECK(fields);
}

}  // namespace
}  // namespace ef::rules
