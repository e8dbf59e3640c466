// Binding a detector rule's keys: defaults, every type builds, errors at their position with
// a did-you-mean hint; and the alert event's fields and JSON payload.
#include "rules/detectors/detector_config.h"

#include <doctest/doctest.h>

#include "core/json.h"
#include "rules/detectors/alert_event.h"

namespace ef::rules {
namespace {

struct Bound {
  DetectorKeys keys;
  std::vector<std::string> errors;
};

Bound Bind(std::string_view text) {
  ConfigErrors errors("rules.d/a.toml");
  const ConfigNode doc = ParseConfigText(text, errors);
  Bound out;
  const ConfigNode* rule = doc.Find("rule");
  if (rule != nullptr) {
    SharedTable shared(*rule, "rule", errors);
    BindDetectorKeys(*rule, shared, out.keys, errors);
    shared.ReportUnknown();
  }
  out.errors = errors.lines();
  return out;
}

TEST_CASE("detector keys: the defaults are the adaptive detector, a warning, no hold-off") {
  const Bound b = Bind("[rule]\n");
  CHECK(b.errors.empty());
  CHECK(b.keys.type == DetectorType::kAdaptive);
  CHECK(b.keys.alert.severity == Severity::kWarning);
  CHECK(MakeDetector(b.keys)->kind() == "adaptive");
}

TEST_CASE("detector keys: every type builds from its keys; durations are seconds") {
  const Bound b = Bind(
      "[rule]\ndetector = \"threshold\"\ndirection = \"below\"\nlimit = 3\n"
      "min_duration = \"1500ms\"\nhold_off = \"10m\"\nseverity = \"critical\"\n");
  REQUIRE(b.errors.empty());
  CHECK(b.keys.below);
  CHECK(b.keys.alert.hold_off_ms == 600000);
  CHECK(b.keys.alert.severity == Severity::kCritical);
  auto detector = MakeDetector(b.keys);
  CHECK(detector->kind() == "threshold");
  CHECK_FALSE(detector->Observe(0, 2.0).anomalous);     // below for 0 s < 1.5 s
  CHECK(detector->Observe(1500, 2.0).anomalous);
  for (const auto* name : {"rate", "zscore", "robust_z", "ewma", "flatline", "missing"}) {
    CAPTURE(name);
    const Bound each = Bind(std::string("[rule]\nmax_per_s = 1\ndetector = \"") + name + "\"\n");
    CHECK(each.errors.empty());
    CHECK(MakeDetector(each.keys)->kind() == name);
  }
}

TEST_CASE("detector keys: errors name the place and hint at the right key") {
  const Bound b = Bind("[rule]\ndetector = \"adaptiv\"\nhold_of = \"3s\"\ntimeout = \"3\"\n");
  REQUIRE(b.errors.size() == 3);
  CHECK(b.errors[0].find("rules.d/a.toml:2:") == 0);
  CHECK(b.errors[0].find("\"adaptive\"") != std::string::npos);
  CHECK(b.errors[1].find("rules.d/a.toml:3:") == 0);
  CHECK(b.errors[1].find("hold_off") != std::string::npos);
  CHECK(b.errors[2].find("rules.d/a.toml:4:") == 0);
  CHECK(b.errors[2].find("not a duration") != std::string::npos);
  const Bound missing = Bind("[rule]\ndetector = \"threshold\"\n");
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors[0].find("needs 'limit'") != std::string::npos);
}

TEST_CASE("alert event: on the alerts stream, with its fields and the same as JSON") {
  AlertTransition t{.state = AlertState::kRaised, .alert_id = 3, .raised_ms = 1000,
                    .severity = Severity::kCritical, .score = 0.9999, .peak_score = 0.9999,
                    .trigger_value = 87.5, .value = 87.5};
  const Event e = AlertEvent({.rule = "hot", .device = "dev-1", .field = "temp"}, t, 1000);
  CHECK(e.stream == "alerts");
  CHECK(e.device_id == "dev-1");
  CHECK(e.origin == "rule/hot");
  CHECK(IsValidJson(e.payload));
  CHECK(e.payload.find("\"state\":\"raised\"") != std::string::npos);
  CHECK(e.payload.find("\"severity\":\"critical\"") != std::string::npos);
  CHECK(e.payload.find("\"trigger_value\":87.5") != std::string::npos);
}

}  // namespace
}  // namespace ef::rules
