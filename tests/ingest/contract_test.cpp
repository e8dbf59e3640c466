// Data contracts: loading with positions, the evolution check, checking and normalising.
#include <doctest/doctest.h>

#include "pipeline/contract/contract_check.h"
#include "pipeline/contract/contract_loader.h"
#include "pipeline/contract/contract_stage.h"

namespace ef::pipeline {
namespace {

constexpr char kPump[] = R"(name = "pump"
topic_template = "plant/{device}/telemetry"
version_field = "schema"
unknown_fields = "drop"

[[versions]]
version = 1
[[versions.fields]]
name = "t"
type = "int"
required = true
min = -40
max = 150
[[versions.fields]]
name = "rpm"
type = "int"
[[versions.fields]]
name = "mode"
type = "string"
required = true

[[versions]]
version = 2
[[versions.fields]]
name = "temp"
renamed_from = "t"
type = "float"
required = true
unit = "degC"
min = -40
max = 150
[[versions.fields]]
name = "mode"
type = "string"
required = true
[[versions.fields]]
name = "site"
type = "string"
default = "unknown"
[[versions.fields]]
name = "at"
type = "timestamp"
)";

Contract Load(std::string_view text, std::vector<std::string>* lines) {
  ConfigErrors errors("pump.toml");
  Contract c = ParseContract(text, "pump.toml", errors);
  *lines = errors.lines();
  return c;
}

Event With(std::vector<Field> fields) {
  Event e;
  e.stream = "telemetry";
  e.origin = "plant/d1/telemetry";
  e.fields = std::move(fields);
  return e;
}

const Value* Get(const Event& e, std::string_view name) {
  for (const Field& f : e.fields) {
    if (f.name == name) return &f.value;
  }
  return nullptr;
}

TEST_CASE("a compatible evolution loads: events of v1 are normalised to v2") {
  std::vector<std::string> lines;
  const Contract c = Load(kPump, &lines);
  REQUIRE(lines.empty());
  Event e = With({{"t", int64_t{41}}, {"mode", std::string("auto")}, {"rpm", int64_t{5}},
                  {"junk", true}});
  ContractViolation v;
  REQUIRE(CheckAndNormalise(c, e, &v));
  CHECK(std::get<double>(*Get(e, "temp")) == 41.0);  // renamed and widened
  CHECK(Get(e, "t") == nullptr);
  CHECK(Get(e, "rpm") == nullptr);   // removed in v2 (optional)
  CHECK(Get(e, "junk") == nullptr);  // unknown: dropped
  CHECK(std::get<std::string>(*Get(e, "site")) == "unknown");  // added with a default
  CHECK(std::get<int64_t>(*Get(e, "schema")) == 2);
  Event v2 = With({{"schema", std::string("v2")}, {"temp", 20.5}, {"mode", std::string("m")},
                   {"at", std::string("2026-11-30T05:00:00Z")}});
  REQUIRE(CheckAndNormalise(c, v2, &v));
  CHECK(std::get<int64_t>(*Get(v2, "at")) == 1796014800000);
}

TEST_CASE("violations name the contract, version, field and reason") {
  std::vector<std::string> lines;
  const Contract c = Load(kPump, &lines);
  ContractViolation v;
  Event e = With({{"t", 41.5}, {"mode", std::string("a")}});
  CHECK_FALSE(CheckAndNormalise(c, e, &v));
  CHECK(v.code == "wrong_type");
  CHECK(v.detail == "contract 'pump' v1: field 't' must be int, not a float");
  e = With({{"t", int64_t{400}}, {"mode", std::string("a")}});
  CHECK_FALSE(CheckAndNormalise(c, e, &v));
  CHECK(v.code == "out_of_range");
  CHECK(v.detail == "contract 'pump' v1: field 't' is out of range [-40, 150]");
  e = With({{"t", int64_t{4}}});
  CHECK_FALSE(CheckAndNormalise(c, e, &v));
  CHECK(v.code == "missing_field");
  e = With({{"schema", int64_t{7}}});
  CHECK_FALSE(CheckAndNormalise(c, e, &v));
  CHECK(v.code == "unknown_version");
}

TEST_CASE("incompatible evolutions are refused at their place unless marked breaking") {
  std::vector<std::string> lines;
  std::string narrowing = kPump;
  narrowing.replace(narrowing.find("type = \"float\""), 14, "type = \"bool\"");
  Load(narrowing, &lines);
  REQUIRE(lines.size() == 1);
  INFO(lines[0]);
  CHECK(lines[0].starts_with("pump.toml:24:1: contract 'pump' version 2 is not backward "
                             "compatible with version 1: field 'temp' changes type from int to "
                             "bool"));
  std::string new_required = std::string(kPump) + "required = true\n";
  Load(new_required, &lines);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("new field 'at' is required without a default") != std::string::npos);
  std::string removed = kPump;
  const std::string mode_v2 = "[[versions.fields]]\nname = \"mode\"\ntype = \"string\"\nrequired = true\n";
  removed.erase(removed.rfind(mode_v2), mode_v2.size());
  Load(removed, &lines);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("it removes the required field 'mode'") != std::string::npos);
  std::string breaking = new_required;
  breaking.replace(breaking.find("version = 2\n"), 12, "version = 2\nbreaking = true\n");
  Load(breaking, &lines);
  CHECK(lines.empty());
}

TEST_CASE("the stage dead-letters violations and counts them per contract and reason") {
  std::vector<std::string> lines;
  MetricsRegistry metrics;
  ContractStage stage({Load(kPump, &lines)}, metrics);
  std::vector<Event> events = {With({{"t", int64_t{1}}, {"mode", std::string("a")}}),
                               With({{"t", std::string("x")}, {"mode", std::string("a")}})};
  events.push_back(With({}));
  events.back().origin = "other/topic";  // no contract binds it
  std::vector<StateEntry> state;
  std::vector<DeadLetterEntry> dead;
  StageGroup group{events, state, Clock::TimePoint{}, 0, &dead};
  stage.Process(group);
  CHECK(events.size() == 2);
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].reason.starts_with("contract 'pump' v1: field 't'"));
  CHECK(metrics.CounterTotal("edgeferry_contract_violations_total") == 1);
}

}  // namespace
}  // namespace ef::pipeline

namespace ef::pipeline {
namespace {

Contract Deduplicating(int64_t window) {
  std::vector<std::string> lines;
  Contract c = Load(std::string(kPump) + "", &lines);
  c.dedup_key = {"device", "n"};
  c.unknown = UnknownFields::kKeep;
  c.dedup_window = window;
  return c;
}

Event Counted(const std::string& device, int64_t n) {
  Event e = With({{"t", int64_t{1}}, {"mode", std::string("a")}, {"n", n}});
  e.device_id = device;
  return e;
}

// Runs one group through `stage`; returns the events kept, appends the state to `state`.
std::vector<Event> RunGroup(ContractStage& stage, std::vector<Event> events,
                            std::vector<StateEntry>& state) {
  std::vector<DeadLetterEntry> dead;
  StageGroup group{events, state, Clock::TimePoint{}, 0, &dead};
  stage.Process(group);
  return events;
}

TEST_CASE("dedup: redeliveries within the window are dropped and counted, also after a restart") {
  MetricsRegistry metrics;
  std::vector<StateEntry> committed;
  {
    ContractStage stage({Deduplicating(3)}, metrics);
    REQUIRE(stage.Restore({}).ok());
    auto kept = RunGroup(stage, {Counted("a", 1), Counted("a", 2), Counted("a", 1),
                                 Counted("b", 1)},
                         committed);
    CHECK(kept.size() == 3);
    CHECK(metrics.CounterTotal("edgeferry_duplicates_dropped_total") == 1);
  }
  // A restart: the state committed so far is what Restore gets (applied in order).
  std::map<std::string, std::string> store;
  for (const StateEntry& e : committed) {
    if (e.erase) {
      store.erase(e.key);
    } else {
      store[e.key] = e.value;
    }
  }
  std::vector<StateEntry> restored;
  for (const auto& [k, v] : store) restored.push_back({k, v, false});
  CHECK(restored.size() == 3);
  ContractStage stage({Deduplicating(3)}, metrics);
  REQUIRE(stage.Restore(restored).ok());
  std::vector<StateEntry> state;
  auto kept = RunGroup(stage, {Counted("a", 2), Counted("c", 1)}, state);
  REQUIRE(kept.size() == 1);  // a/2 was seen before the restart
  CHECK(kept[0].device_id == "c");
  // c/1 pushed the oldest key (a/1) out of the window of 3: it counts as new again.
  CHECK(state.size() == 2);
  CHECK(state[1].erase);
  kept = RunGroup(stage, {Counted("a", 1)}, state);
  CHECK(kept.size() == 1);
}

}  // namespace
}  // namespace ef::pipeline
