// RulesStage checkpoints: a journal record per commit, snapshots, restarts that replay the
// journal onto the snapshots (exactly the outputs of an uninterrupted run), changed rules,
// bad records, per-group checkpoints of earlier versions.
#include <doctest/doctest.h>

#include <cstdint>

#include "rules/state_codec.h"
#include "rules/state_journal.h"
#include "tests/rules/rules_harness.h"

namespace ef::rules::testing {
namespace {

using namespace std::chrono_literals;

// Three devices, slightly out of order, with pauses that end sessions.
std::vector<Event> Workload() {
  std::vector<Event> events;
  for (int i = 0; i < 300; ++i) {
    const std::string device = "dev-" + std::to_string(i % 3);
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

// Feeds the workload, a timer step after every event; restarts every `restart_every`
// events (0: never). Returns every output payload.
std::vector<std::string> Run(const std::string& rules, RulesOptions options,
                             size_t restart_every) {
  RulesHarness h(rules, options);
  std::vector<std::string> got;
  const std::vector<Event> events = Workload();
  for (size_t i = 0; i < events.size(); ++i) {
    if (restart_every != 0 && i % restart_every == 0) h.Restart(rules);
    for (auto& p : Payloads(h.Feed(events[i]))) got.push_back(p);
    // Every 37th event, a pause long enough for the idle timeout of a quiet device.
    for (auto& p : Payloads(h.Advance(i % 37 == 36 ? 40s : 100ms))) got.push_back(p);
  }
  return got;
}

TEST_CASE("a restart at any commit emits exactly what an uninterrupted run does: snapshots "
          "plus the journal replayed") {
  const std::string rules =
      kTumbling + "idle_timeout = \"30s\"\nmax_groups = 2\n" + kSession;  // evictions too
  for (const int64_t journal : {int64_t{1} << 20, int64_t{64}}) {
    RulesOptions options;
    options.min_journal_bytes = journal;  // 64: a snapshot every few commits
    const std::vector<std::string> expected = Run(rules, options, 0);
    REQUIRE(expected.size() > 50);
    for (size_t restart_every : {1, 7, 40}) {
      CAPTURE(journal);
      CAPTURE(restart_every);
      CHECK(Run(rules, options, restart_every) == expected);
    }
  }
}

TEST_CASE("a commit writes one journal record; a snapshot replaces the journal once it outgrows "
          "the state") {
  RulesOptions options;
  options.min_journal_bytes = 200;
  RulesHarness h(kTumbling, options);
  h.Feed(Reading("a", 1000, {{"temp", 1.0}}));  // the first commit: a snapshot
  CHECK(h.KeysWith("#snapshot/") == 1);
  CHECK(h.KeysWith("#journal/") == 0);
  std::vector<Event> one{Reading("b", 2000, {{"temp", 2.0}})};
  std::vector<StateEntry> state;
  StageGroup group{one, state, Clock::TimePoint(200s), 0};
  h.stage().Process(group);
  REQUIRE(state.size() == 1);
  CHECK(state[0].key.starts_with("#journal/"));
  std::vector<Event> other{Reading("x", 2000, {{"rpm", 2.0}})};  // no rule takes it
  state.clear();
  StageGroup untaken{other, state, Clock::TimePoint(201s), 0};
  h.stage().Process(untaken);
  CHECK(state.empty());
  size_t most = 0;
  bool compacted = false;
  for (int i = 0; i < 1000 && !compacted; ++i) {
    h.Feed(Reading("a", 3000 + i, {{"temp", 1.0}}));
    compacted = h.KeysWith("#journal/") < most;
    most = std::max(most, h.KeysWith("#journal/"));
  }
  CHECK(compacted);  // a snapshot took over: the journal was erased
  CHECK(h.KeysWith("#snapshot/") == 1);
}

TEST_CASE("replayed events are not counted again; a rule changed while down starts empty") {
  RulesHarness h(kTumbling + kSession);
  h.Feed(Reading("a", 1000, {{"temp", 1.0}}));
  h.Feed(Reading("b", 1000, {{"temp", 1.0}}));
  h.Feed(Reading("a", 2000, {{"temp", 3.0}}));
  CHECK(h.KeysWith("#journal/") == 2);
  const uint64_t taken = h.Counter("edgeferry_rule_events_total");
  h.Restart(kTumbling + kSession);
  CHECK(h.Counter("edgeferry_rule_events_total") == taken);
  CHECK(h.Counter("edgeferry_rule_outputs_total") == 0);
  CHECK(h.Groups("t") == 2);
  CHECK(h.Groups("s") == 2);
  std::string changed = kTumbling;
  changed.replace(changed.find("10s"), 3, "20s");
  h.Restart(changed + kSession);
  CHECK(h.Counter("edgeferry_rules_state_discarded_total") == 1);  // t's snapshot
  auto out = On(h.Feed(Reading("a", 25000, {{"temp", 5.0}})), "aggregates");
  CHECK(out.size() == 1);  // a's session closed
  CHECK(h.Groups("t") == 1);  // only a's new window: no journal was replayed into t
  CHECK(h.Groups("s") == 2);
  CHECK(h.committed().count("#snapshot/t") == 1);
}

// A sliding window by count bounded by memory, fed, reloaded (a snapshot), fed again, and
// optionally restarted (replaying the journal): the count of the window device "a" emits
// at the end (1: its group was closed by the bound meanwhile).
double SlidingBoundScenario(int64_t max_state_bytes, bool restart) {
  const std::string rules = "[[rule]]\nname = \"w\"\nkind = \"window\"\nwindow = \"sliding\"\n"
                            "events = 2\nfields = [\"temp\"]\naggregates = [\"count\"]\n"
                            "max_state_bytes = " + std::to_string(max_state_bytes) + "\n";
  RulesHarness h(rules);
  for (int i = 0; i < 70; ++i) h.Feed(Reading("a", 1000 * (i + 1), {{"temp", 1.0}}));
  h.stage().Offer(LoadOrFail(rules));  // a reload: the snapshot of the live groups
  for (int i = 0; i < 71; ++i) h.Feed(Reading("b", 1000 * (i + 1), {{"temp", 1.0}}));
  if (restart) h.Restart(rules);
  auto out = On(h.Feed(Reading("a", 100000, {{"temp", 1.0}})), "aggregates");
  REQUIRE(!out.empty());
  return *Num(out.back(), "count");
}

TEST_CASE("a restored group weighs what the live one did: the replay closes the same groups") {
  for (const int64_t bound : {3500, 4500, 5000, 6250}) {
    CAPTURE(bound);
    CHECK(SlidingBoundScenario(bound, true) == SlidingBoundScenario(bound, false));
  }
}

// Rules a (devices x*) and b (devices y*) under one total memory bound; "x1" is closed early
// by the bound. With `change_b`, b is changed while the daemon is down (not replayed) and a
// is removed by a reload afterwards. Returns the sum of x1's window counts: each of its two
// events counted once, whatever the restart.
double TotalBoundScenario(bool change_b) {
  const std::string a = "[[rule]]\nname = \"a\"\nkind = \"window\"\nwindow = \"tumbling\"\n"
                        "size = \"10s\"\ndevice = \"x*\"\nfields = [\"temp\"]\n"
                        "aggregates = [\"count\"]\n";
  std::string b = a;
  b.replace(b.find("\"a\""), 3, "\"b\"");
  b.replace(b.find("x*"), 2, "y*");
  RulesOptions options;
  options.max_state_bytes = 5000;
  RulesHarness h(a + b, options);
  double count = 0;
  auto add = [&](const std::vector<Event>& events) {
    for (const Event& e : On(events, "aggregates")) {
      if (e.device_id == "x1") count += *Num(e, "count");
    }
  };
  add(h.Feed(Reading("x1", 1000, {{"temp", 1.0}})));
  for (int i = 0; i < 40; ++i) add(h.Feed(Reading("y" + std::to_string(i), 1000, {{"temp", 1.0}})));
  if (change_b) {
    b.replace(b.find("10s"), 3, "20s");
    h.Restart(a + b);
  }
  add(h.Feed(Reading("x1", 2000, {{"temp", 1.0}})));
  h.stage().Offer(LoadOrFail(b));  // a removed: its window closes
  add(h.Advance(0s));
  return count;
}

TEST_CASE("the total bound's evictions are replayed as made, also when another rule changed") {
  CHECK(TotalBoundScenario(false) == 2);
  CHECK(TotalBoundScenario(true) == 2);
}

TEST_CASE("a bad journal record stops the replay there and is counted") {
  RulesHarness h(kTumbling);
  h.Feed(Reading("a", 1000, {{"temp", 1.0}}));
  h.Feed(Reading("a", 2000, {{"temp", 3.0}}));
  h.Feed(Reading("a", 3000, {{"temp", 5.0}}));
  std::map<std::string, std::string> committed = h.committed();
  REQUIRE(committed.count("#journal/0000000000000001") == 1);
  committed["#journal/0000000000000001"] = "\x01garbage";
  RulesHarness restarted(kTumbling);
  std::vector<StateEntry> state;
  for (const auto& [key, value] : committed) state.push_back({key, value, false});
  REQUIRE(restarted.stage().Restore(state).ok());
  CHECK(restarted.Counter("edgeferry_rules_state_discarded_total") == 1);
  auto out = On(restarted.Feed(Reading("a", 11000, {{"temp", 7.0}})), "aggregates");
  REQUIRE(out.size() == 1);
  CHECK(Num(out[0], "count") == 2);  // the snapshot and the first record: 1 and 3
}

TEST_CASE("a per-group checkpoint of an earlier version is restored, then replaced by a "
          "snapshot") {
  RulesHarness h(kTumbling);
  h.Feed(Reading("a", 1000, {{"temp", 4.0}}));
  const std::string snapshot = h.committed().at("#snapshot/t");
  // The earlier value of group "a": the snapshot's group body (fingerprint first).
  StateReader in(snapshot);
  const uint64_t fingerprint = in.U64();
  REQUIRE(in.U64() == 1);
  REQUIRE(in.Str() == "a");
  in.I64();
  const std::string body = in.Str();
  std::string legacy;
  {
    StateWriter out(&legacy);
    out.U64(fingerprint);
    out.Bytes(body);
  }
  RulesHarness restarted(kTumbling);
  std::vector<StateEntry> state{{"t/a", legacy, false}};
  REQUIRE(restarted.stage().Restore(state).ok());
  auto out = On(restarted.Feed(Reading("a", 11000, {{"temp", 8.0}})), "aggregates");
  REQUIRE(out.size() == 1);
  CHECK(Num(out[0], "temp_mean") == 4);
  CHECK(restarted.committed().count("t/a") == 0);
  CHECK(restarted.committed().count("#snapshot/t") == 1);
}

TEST_CASE("journal records keep what rules read and reject bad bytes") {
  Event a = Reading("dev-1", 1000, {{"temp", 21.5}, {"ok", true}, {"n", int64_t{-3}}});
  a.payload = "not kept";
  Event b = Reading("dev-1", 900, {{"temp", 22.0}, {"mode", std::string("auto")}});
  b.stream = "other";
  JournalWriter writer(false, 123'456'789);
  writer.Add(a);
  writer.Add(b);
  const std::string bytes = writer.Finish();
  auto call = DecodeJournalCall(bytes);
  REQUIRE(call.ok());
  CHECK_FALSE(call.value().timer);
  CHECK(call.value().now_ns == 123'456'789);
  REQUIRE(call.value().events.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    const Event& want = i == 0 ? a : b;
    const Event& got = call.value().events[i];
    CHECK(got.stream == want.stream);
    CHECK(got.device_id == want.device_id);
    CHECK(got.origin == want.origin);
    CHECK(got.event_time_ms == want.event_time_ms);
    REQUIRE(got.fields.size() == want.fields.size());
    for (size_t f = 0; f < got.fields.size(); ++f) {
      CHECK(got.fields[f].name == want.fields[f].name);
      CHECK(got.fields[f].value == want.fields[f].value);
    }
    CHECK(got.payload.empty());
  }
  const std::string timer = JournalWriter(true, 5).Finish();
  CHECK(DecodeJournalCall(timer).value().timer);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    CHECK_FALSE(DecodeJournalCall(bytes.substr(0, cut)).ok());
  }
  CHECK_FALSE(DecodeJournalCall(bytes + "x").ok());
}

TEST_CASE("journal records carry far-apart event times and the total bound's evictions") {
  JournalWriter writer(false, 0);
  writer.Add(Reading("a", INT64_MIN));
  writer.Add(Reading("a", INT64_MAX));
  writer.AddEviction("rule-1", "dev-7");
  auto call = DecodeJournalCall(writer.Finish());
  REQUIRE(call.ok());
  REQUIRE(call.value().events.size() == 2);
  CHECK(call.value().events[0].event_time_ms == INT64_MIN);
  CHECK(call.value().events[1].event_time_ms == INT64_MAX);
  REQUIRE(call.value().evictions.size() == 1);
  CHECK(call.value().evictions[0].rule == "rule-1");
  CHECK(call.value().evictions[0].key == "dev-7");
}

}  // namespace
}  // namespace ef::rules::testing
