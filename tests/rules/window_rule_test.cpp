// The "window" rule kind: tumbling, hopping, sliding, session and count windows in event
// time, lateness and the late stream, grouping, the aggregates in the outputs.
#include <doctest/doctest.h>

#include "rules/window_state.h"
#include "tests/rules/rules_harness.h"

namespace ef::rules::testing {
namespace {

Event Temp(const std::string& device, int64_t t, double temp) {
  return Reading(device, t, {{"temp", temp}});
}

TEST_CASE("tumbling: one output per device and window once the watermark passes its end") {
  RulesHarness h(R"(
[[rule]]
name = "temp-10s"
kind = "window"
window = "tumbling"
size = "10s"
fields = ["temp"]
aggregates = ["count", "mean", "min", "max", "sum", "first", "last", "delta"]
)");
  CHECK(On(h.Feed(Temp("a", 1000, 10)), "aggregates").empty());
  CHECK(On(h.Feed(Temp("a", 5000, 20)), "aggregates").empty());
  CHECK(On(h.Feed(Temp("b", 6000, 99)), "aggregates").empty());
  CHECK(On(h.Feed(Temp("a", 9999, 30)), "aggregates").empty());
  const std::vector<Event> out = On(h.Feed(Temp("a", 10000, 40)), "aggregates");
  REQUIRE(out.size() == 1);
  const Event& w = out[0];
  CHECK(w.device_id == "a");
  CHECK(w.event_time_ms == 10000);
  CHECK(Num(w, "window_start") == 0);
  CHECK(Num(w, "window_end") == 10000);
  CHECK(Num(w, "count") == 3);
  CHECK(Num(w, "temp_count") == 3);
  CHECK(Num(w, "temp_mean") == doctest::Approx(20));
  CHECK(Num(w, "temp_min") == 10);
  CHECK(Num(w, "temp_max") == 30);
  CHECK(Num(w, "temp_sum") == 60);
  CHECK(Num(w, "temp_first") == 10);
  CHECK(Num(w, "temp_last") == 30);
  CHECK(Num(w, "temp_delta") == 20);
  CHECK(!Num(w, "partial"));
  CHECK(w.payload.starts_with(R"({"rule":"temp-10s","device":"a","group":"a","window_start":0,)"));
  CHECK(w.payload.find(R"("temp_mean":20)") != std::string::npos);
  CHECK(h.Counter("edgeferry_rule_outputs_total") == 1);
}

TEST_CASE("tumbling: an event of a closed window is late, counted and copied to the late stream") {
  RulesHarness h(R"(
[[rule]]
name = "r"
kind = "window"
window = "tumbling"
size = "10s"
lateness = "2s"
fields = ["temp"]
)");
  h.Feed(Temp("a", 1000, 1));
  CHECK(On(h.Feed(Temp("a", 11000, 2)), "aggregates").empty());  // 11 s - 2 s < 10 s
  CHECK(On(h.Feed(Temp("a", 9000, 3)), "late").empty());         // within the lateness
  const std::vector<Event> closing = h.Feed(Temp("a", 12000, 4));
  REQUIRE(On(closing, "aggregates").size() == 1);
  CHECK(Num(On(closing, "aggregates")[0], "count") == 2);  // 1 s and the late 9 s
  const std::vector<Event> late = h.Feed(Temp("a", 8000, 5));
  REQUIRE(On(late, "late").size() == 1);
  CHECK(On(late, "telemetry").size() == 1);  // the raw event is kept as well
  CHECK(h.Counter("edgeferry_rule_late_events_total") == 1);
}

TEST_CASE("hopping: each event counts in size / hop windows") {
  RulesHarness h(R"(
[[rule]]
name = "r"
kind = "window"
window = "hopping"
size = "10s"
hop = "5s"
)");
  std::vector<Event> out;
  for (int64_t t = 0; t < 30000; t += 1000) {
    for (Event& e : On(h.Feed(Reading("a", t)), "aggregates")) out.push_back(e);
  }
  // Windows [-5,5) [0,10) [5,15) [10,20) [15,25) have closed by t = 29 s.
  REQUIRE(out.size() == 5);
  CHECK(Num(out[0], "window_start") == -5000);
  CHECK(Num(out[0], "count") == 5);
  for (size_t i = 1; i < out.size(); ++i) CHECK(Num(out[i], "count") == 10);
  CHECK(Num(out[4], "window_end") == 25000);
}

TEST_CASE("sliding over time: an output per event over the last size of event time") {
  RulesHarness h(R"(
[[rule]]
name = "r"
kind = "window"
window = "sliding"
size = "3s"
fields = ["temp"]
aggregates = ["mean", "max"]
)");
  std::vector<Event> out;
  for (int64_t t : {1000, 2000, 3000, 4000, 6500}) {
    auto got = On(h.Feed(Temp("a", t, static_cast<double>(t / 1000))), "aggregates");
    REQUIRE(got.size() == 1);
    out.push_back(got[0]);
  }
  CHECK(Num(out[2], "count") == 3);
  CHECK(Num(out[3], "count") == 3);  // (1 s, 4 s]: 2, 3, 4
  CHECK(Num(out[3], "temp_mean") == doctest::Approx(3));
  CHECK(Num(out[4], "count") == 2);  // (3.5 s, 6.5 s]: 4, 6.5
  CHECK(Num(out[4], "temp_max") == 6);
}

TEST_CASE("sliding over events: the last N events") {
  RulesHarness h(R"(
[[rule]]
name = "r"
kind = "window"
window = "sliding"
events = 3
fields = ["temp"]
aggregates = ["sum"]
)");
  std::vector<double> sums;
  for (int i = 1; i <= 5; ++i) {
    auto got = On(h.Feed(Temp("a", i * 1000, i)), "aggregates");
    REQUIRE(got.size() == 1);
    sums.push_back(*Num(got[0], "temp_sum"));
  }
  CHECK(sums == std::vector<double>{1, 3, 6, 9, 12});
}

TEST_CASE("sliding state: version 2 round-trips, version 1 (absolute sample times) is still read") {
  WindowGroup g;
  g.seen = true;
  g.max_ms = 1'764'000'003'000;
  for (int64_t i = 0; i < 3; ++i) {
    g.samples.times.push_back(1'764'000'001'000 + i * 1000);
    g.samples.values.push_back(i == 1 ? std::nullopt : std::optional<double>(20.5 + i));
    g.samples.values.push_back(-1.0 * static_cast<double>(i));
  }
  auto same = [&](const WindowGroup& back) {
    CHECK(back.seen == g.seen);
    CHECK(back.max_ms == g.max_ms);
    CHECK(back.samples.times == g.samples.times);
    CHECK(back.samples.values == g.samples.values);
  };
  std::string v2;
  {
    StateWriter out(&v2);
    g.Encode(out, 2);
  }
  StateReader in2(v2);
  WindowGroup back2;
  REQUIRE(back2.Decode(in2, 2));
  same(back2);

  std::string v1;  // as version 1 wrote it
  {
    StateWriter out(&v1);
    out.U64(1);
    out.Bool(g.seen);
    out.I64(g.max_ms);
    out.U64(0);  // no open windows
    out.U64(g.samples.size());
    for (size_t i = 0; i < g.samples.size(); ++i) {
      out.I64(g.samples.times[i]);
      for (size_t f = 0; f < 2; ++f) {
        const auto& v = g.samples.values[i * 2 + f];
        out.Bool(v.has_value());
        if (v) out.F64(*v);
      }
    }
  }
  StateReader in1(v1);
  WindowGroup back1;
  REQUIRE(back1.Decode(in1, 2));
  same(back1);
  CHECK(v2.size() < v1.size());
}

TEST_CASE("session: a gap closes the session; max_length splits a long one") {
  RulesHarness h(R"(
[[rule]]
name = "r"
kind = "window"
window = "session"
gap = "5s"
max_length = "20s"
)");
  for (int64_t t : {0, 2000, 4000}) CHECK(On(h.Feed(Reading("a", t)), "aggregates").empty());
  auto out = On(h.Feed(Reading("a", 10000)), "aggregates");  // 6 s after the last: a new one
  REQUIRE(out.size() == 1);
  CHECK(Num(out[0], "count") == 3);
  CHECK(Num(out[0], "window_start") == 0);
  CHECK(Num(out[0], "window_end") == 4000);
  std::vector<Event> split;
  for (int64_t t = 12000; t <= 40000; t += 2000) {
    for (Event& e : On(h.Feed(Reading("a", t)), "aggregates")) split.push_back(e);
  }
  REQUIRE(split.size() == 1);  // 10 s .. 28 s, then a new session at 30 s
  CHECK(Num(split[0], "window_start") == 10000);
  CHECK(Num(split[0], "count") == 10);
}

TEST_CASE("count: every N events of a group, in arrival order") {
  RulesHarness h(R"(
[[rule]]
name = "r"
kind = "window"
window = "count"
events = 3
fields = ["temp"]
aggregates = ["mean"]
)");
  std::vector<Event> out;
  for (int i = 0; i < 7; ++i) {
    for (Event& e : On(h.Feed(Temp(i % 2 ? "b" : "a", i * 1000, i)), "aggregates")) {
      out.push_back(e);
    }
  }
  REQUIRE(out.size() == 2);
  CHECK(out[0].device_id == "a");  // a: 0, 2, 4
  CHECK(Num(out[0], "temp_mean") == doctest::Approx(2));
  CHECK(out[1].device_id == "b");  // b: 1, 3, 5
  CHECK(Num(out[1], "temp_mean") == doctest::Approx(3));
}

TEST_CASE("group_by a field, and match by stream, device glob, topic and where") {
  RulesHarness h(R"(
[[rule]]
name = "r"
kind = "window"
window = "count"
events = 2
stream = "telemetry"
device = "press-*"
topic = "plant/+/telemetry"
where = "temp >= 10 and mode == 'run'"
group_by = ["line"]
fields = ["temp"]
)");
  auto reading = [](const std::string& device, const std::string& line, double temp,
                    const std::string& mode) {
    return Reading(device, 1000, {{"temp", temp}, {"line", line}, {"mode", mode}});
  };
  CHECK(On(h.Feed(reading("press-1", "L1", 20, "run")), "aggregates").empty());
  CHECK(On(h.Feed(reading("press-2", "L2", 20, "run")), "aggregates").empty());
  CHECK(On(h.Feed(reading("press-3", "L1", 5, "run")), "aggregates").empty());    // where
  CHECK(On(h.Feed(reading("press-3", "L1", 15, "stop")), "aggregates").empty());  // where
  CHECK(On(h.Feed(reading("drill-1", "L1", 15, "run")), "aggregates").empty());   // device
  Event other_stream = reading("press-3", "L1", 15, "run");
  other_stream.stream = "alerts";
  CHECK(On(h.Feed(other_stream), "aggregates").empty());
  auto out = On(h.Feed(reading("press-3", "L1", 30, "run")), "aggregates");
  REQUIRE(out.size() == 1);
  CHECK(out[0].payload.find(R"("group":"L1")") != std::string::npos);
  CHECK(Num(out[0], "temp_mean") == doctest::Approx(25));
}

}  // namespace
}  // namespace ef::rules::testing

namespace ef::rules::testing {
namespace {

TEST_CASE("a sliding window by count takes first and last by event time, not arrival") {
  RulesHarness h(R"(
[[rule]]
name = "w"
kind = "window"
window = "sliding"
events = 3
fields = ["temp"]
aggregates = ["first", "last", "delta"]
)");
  h.Feed(Reading("a", 3000, {{"temp", 3.0}}));
  h.Feed(Reading("a", 1000, {{"temp", 1.0}}));
  auto out = On(h.Feed(Reading("a", 2000, {{"temp", 2.0}})), "aggregates");
  REQUIRE(out.size() == 1);
  CHECK(Num(out[0], "temp_first") == 1.0);
  CHECK(Num(out[0], "temp_last") == 3.0);
  CHECK(Num(out[0], "temp_delta") == 2.0);
}

}  // namespace
}  // namespace ef::rules::testing
