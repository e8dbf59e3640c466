// RulesStage restarts under load: random events (late ones too, missing fields) through
// sliding, count, tumbling and session rules with per-rule and total memory bounds and
// reloads; a run restarted every few commits (snapshot + journal replayed) must emit exactly
// what the uninterrupted run does.
#include <doctest/doctest.h>

#include <random>

#include "tests/rules/rules_harness.h"

namespace ef::rules::testing {
namespace {

using namespace std::chrono_literals;

const std::string kRules = R"(
[[rule]]
name = "sl"
kind = "window"
window = "sliding"
size = "5s"
lateness = "2s"
fields = ["temp", "rpm"]
aggregates = ["count", "mean", "first", "last", "p50", "stddev"]
max_groups = 4

[[rule]]
name = "sc"
kind = "window"
window = "sliding"
events = 4
fields = ["temp"]
aggregates = ["count", "mean", "min", "max"]

[[rule]]
name = "tu"
kind = "window"
window = "tumbling"
size = "3s"
fields = ["temp"]
max_groups = 3

[[rule]]
name = "se"
kind = "window"
window = "session"
gap = "2s"
group_by = ["site"]
)";

struct Scenario {
  uint64_t seed;
  int64_t total_bound;
  bool reload;  // a reload (same rules) every 53 calls: a snapshot mid-run
};

// Every output payload of 600 random groups of 1-4 events from 7 devices; restarts before
// every `restart_every`-th group (0: never).
std::vector<std::string> Run(const Scenario& s, size_t restart_every) {
  RulesOptions options;
  options.max_state_bytes = s.total_bound;
  options.min_journal_bytes = 300;  // snapshots every few commits too
  RulesHarness h(kRules, options);
  std::mt19937_64 rng(s.seed);
  std::vector<std::string> got;
  auto take = [&](const std::vector<Event>& events) {
    for (const Event& e : events) {
      if (e.stream == "aggregates") got.push_back(e.payload);
    }
  };
  int64_t t = 0;
  for (size_t i = 0; i < 600; ++i) {
    if (restart_every != 0 && i % restart_every == restart_every - 1) h.Restart(kRules);
    if (s.reload && i % 53 == 0) h.stage().Offer(LoadOrFail(kRules));
    std::vector<Event> group;
    const int n = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < n; ++k) {
      t += static_cast<int64_t>(rng() % 700);
      const int64_t event_time = t - static_cast<int64_t>(rng() % 1500);
      std::vector<Field> fields{{"temp", static_cast<double>(rng() % 50)},
                                {"site", std::string(rng() % 2 ? "s1" : "s2")}};
      if (rng() % 2) fields.push_back({"rpm", static_cast<int64_t>(rng() % 9)});
      group.push_back(Reading("d" + std::to_string(rng() % 7), event_time, fields));
    }
    take(h.Feed(group));
    take(h.Advance(10ms));
  }
  return got;
}

TEST_CASE("restarted every few commits, under memory bounds and reloads, the rules emit "
          "exactly what an uninterrupted run does") {
  for (const uint64_t seed : {1, 2, 3}) {
    for (const int64_t bound : {int64_t{6000}, int64_t{3000}}) {
      for (const bool reload : {false, true}) {
        const Scenario s{seed, bound, reload};
        const std::vector<std::string> expected = Run(s, 0);
        REQUIRE(expected.size() > 1000);
        for (const size_t every : {3, 17}) {
          CAPTURE(seed);
          CAPTURE(bound);
          CAPTURE(reload);
          CAPTURE(every);
          CHECK(Run(s, every) == expected);
        }
      }
    }
  }
}

}  // namespace
}  // namespace ef::rules::testing
