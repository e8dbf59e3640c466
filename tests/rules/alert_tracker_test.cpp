// The alert lifecycle: debounce, hold-off (one incident, one alert), clear delay, reminders,
// and the values the transitions carry; checkpointed state continues.
#include "rules/detectors/alert_tracker.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace ef::rules {
namespace {

// Feeds one verdict per second (anomalous where `pattern` has '!') and returns the
// transitions as "<second>:<state>".
std::vector<std::string> Run(AlertTracker& tracker, const std::string& pattern) {
  std::vector<std::string> out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const bool bad = pattern[i] == '!';
    const auto t = tracker.Update(static_cast<int64_t>(i) * 1000, {bad ? 5.0 : 0.0, bad},
                                  static_cast<double>(i));
    if (t) out.push_back(std::to_string(i) + ":" + std::string(AlertStateName(t->state)));
  }
  return out;
}

TEST_CASE("alert: raised on the first anomalous verdict, cleared on the first normal one") {
  AlertTracker tracker({});
  CHECK(Run(tracker, "...!!!...") == std::vector<std::string>{"3:raised", "6:cleared"});
}

TEST_CASE("alert: debounce by count and by time; a blip does not raise") {
  AlertTracker by_count({.raise_after = 3});
  CHECK(Run(by_count, "..!!.!!!!..") == std::vector<std::string>{"7:raised", "9:cleared"});
  AlertTracker by_time({.raise_after_ms = 2000});
  CHECK(Run(by_time, "..!!.!!!!..") == std::vector<std::string>{"7:raised", "9:cleared"});
}

TEST_CASE("alert: a flapping condition within the hold-off is one alert") {
  AlertTracker again({.hold_off_ms = 10000});
  const auto out = Run(again, "..!.!.!!.!..........!.");
  CHECK(out == std::vector<std::string>{"2:raised", "12:cleared", "20:raised"});
}

TEST_CASE("alert: clears only after the calm lasted clear_after; reminders while active") {
  AlertTracker tracker({.clear_after_ms = 3000, .renotify_ms = 4000});
  CHECK(Run(tracker, ".!!!!!!..!.....") ==
        std::vector<std::string>{"1:raised", "5:active", "9:active", "13:cleared"});
}

TEST_CASE("alert: the transition carries id, severity, peak score and the trigger value") {
  AlertTracker tracker({.severity = Severity::kCritical});
  CHECK_FALSE(tracker.Update(0, {0.5, false}, 1.0));
  auto raised = tracker.Update(1000, {4.0, true}, 42.0);
  REQUIRE(raised);
  CHECK(raised->alert_id == 1);
  CHECK(raised->severity == Severity::kCritical);
  CHECK(tracker.Update(2000, {-9.0, true}, 43.0) == std::nullopt);
  auto cleared = tracker.Update(3000, {0.1, false}, 10.0);
  REQUIRE(cleared);
  CHECK(cleared->state == AlertState::kCleared);
  CHECK(cleared->alert_id == 1);
  CHECK(cleared->raised_ms == 1000);
  CHECK(cleared->peak_score == 9.0);
  CHECK(cleared->trigger_value == 42.0);
  CHECK(cleared->value == 10.0);
  CHECK(tracker.Update(4000, {4.0, true}, 50.0)->alert_id == 2);
}

TEST_CASE("alert: a restored checkpoint continues the same incident") {
  AlertTracker a({.hold_off_ms = 5000});
  CHECK(a.Update(0, {3.0, true}, 1.0)->state == AlertState::kRaised);
  AlertTracker b({.hold_off_ms = 5000});
  REQUIRE(b.LoadState(a.SaveState()).ok());
  CHECK(b.active());
  CHECK_FALSE(b.Update(1000, {0.0, false}, 1.0));
  CHECK(b.Update(5000, {0.0, false}, 1.0)->alert_id == 1);
  CHECK_FALSE(b.LoadState("alert 1 2").ok());
}

}  // namespace
}  // namespace ef::rules
