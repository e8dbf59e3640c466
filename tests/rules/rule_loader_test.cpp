// Rule files: errors as file:line:col with did-you-mean hints, the registry of kinds, a
// directory loaded all or nothing.
#include "rules/rule_loader.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "rules/window_rule.h"
#include "tests/rules/rules_harness.h"

namespace ef::rules::testing {
namespace {

std::vector<std::string> Errors(const std::string& text) {
  RuleSet set;
  return LoadRuleText(text, "rules.d/x.toml", BuiltinRuleKinds(), &set);
}

bool Has(const std::vector<std::string>& errors, const std::string& line) {
  for (const std::string& e : errors) {
    if (e == line) return true;
  }
  std::string all;
  for (const std::string& e : errors) all += e + "\n";
  MESSAGE("errors were:\n" << all);
  return false;
}

TEST_CASE("a valid window rule loads with its defaults") {
  RuleSet set = LoadOrFail(R"(
[[rule]]
name = "temp-1m"
kind = "window"
window = "tumbling"
size = "1m"
fields = ["temp"]
)");
  REQUIRE(set.rules.size() == 1);
  const RuleSpec& spec = set.rules[0].spec;
  CHECK(spec.name == "temp-1m");
  CHECK(spec.output == "aggregates");
  CHECK(spec.group_by == std::vector<std::string>{"device"});
  CHECK(spec.raw == RawInput::kKeep);
  CHECK(spec.pos.line == 2);
}

TEST_CASE("unknown aggregate, hop larger than the window, unknown key: file:line:col and a hint") {
  const auto errors = Errors(R"([[rule]]
name = "r"
kind = "window"
window = "hopping"
size = "30s"
hop = "1m"
aggregates = ["mean", "p59", "stdev"]
feilds = ["temp"]
)");
  CHECK(Has(errors, R"(rules.d/x.toml:6:7: 'hop' (1m) is larger than the window 'size' (30s): )"
                    R"(events between windows would be missed (did you mean size = "1m", )"
                    R"(hop = "30s"?))"));
  CHECK(Has(errors, R"(rules.d/x.toml:7:23: unknown aggregate "p59" (did you mean "p50"?))"));
  CHECK(Has(errors, R"(rules.d/x.toml:7:30: unknown aggregate "stdev" (did you mean "stddev"?))"));
  CHECK(Has(errors, "rules.d/x.toml:8:1: unknown key 'feilds' in [rule] (did you mean 'fields'?)"));
}

TEST_CASE("unknown kind, missing keys, keys that do not apply, a bad where, a bad duration") {
  const auto errors = Errors(R"([[rule]]
name = "a"
kind = "windw"

[[rule]]
name = "b"
kind = "window"
window = "tumbling"
gap = "5s"
where = "temp >> 3"
lateness = "5 s"

[[rule]]
kind = "window"
window = "session"
)");
  CHECK(Has(errors, R"(rules.d/x.toml:3:8: unknown rule kind "windw" (did you mean "window"?))"));
  CHECK(Has(errors, "rules.d/x.toml:5:1: tumbling windows need 'size' (e.g. size = \"1m\")"));
  CHECK(Has(errors, "rules.d/x.toml:9:1: 'gap' does not apply to tumbling windows"));
  CHECK(Has(errors, "rules.d/x.toml:10:16: 'where': expected a value (a number, true, false or a "
                    "quoted string)"));
  CHECK(Has(errors, "rules.d/x.toml:11:12: 'lateness': must be a duration such as \"500ms\", "
                    "\"30s\", \"5m\", \"1h\" or \"1m30s\", not \"5 s\""));
  CHECK(Has(errors, "rules.d/x.toml:13:1: missing required key 'name' in [rule]"));
  CHECK(Has(errors, "rules.d/x.toml:13:1: session windows need 'gap' (e.g. gap = \"30s\")"));
}

TEST_CASE("duplicate names across files; a directory with an error loads nothing") {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ef-rules-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "a.toml") << "[[rule]]\nname = \"x\"\nkind = \"window\"\n"
                                   "window = \"count\"\nevents = 5\n";
  std::ofstream(dir / "b.toml") << "[[rule]]\nname = \"x\"\nkind = \"window\"\n"
                                   "window = \"count\"\nevents = 6\n";
  std::ofstream(dir / "notes.txt") << "not a rule file";
  RuleSet set;
  auto errors = LoadRuleDir(dir.string(), BuiltinRuleKinds(), false, &set);
  CHECK(Has(errors, (dir / "b.toml").string() +
                        ":1:1: a rule named 'x' exists already: names must be unique"));
  CHECK(set.rules.empty());
  std::filesystem::remove(dir / "b.toml");
  errors = LoadRuleDir(dir.string(), BuiltinRuleKinds(), false, &set);
  CHECK(errors.empty());
  CHECK(set.rules.size() == 1);
  const std::string before = RuleDirSignature(dir.string());
  std::ofstream(dir / "c.toml") << "\n";
  CHECK(RuleDirSignature(dir.string()) != before);
  std::filesystem::remove_all(dir);
  CHECK(LoadRuleDir(dir.string(), BuiltinRuleKinds(), true, &set).empty());
  CHECK(!LoadRuleDir(dir.string(), BuiltinRuleKinds(), false, &set).empty());
}

TEST_CASE("a kind registered by another component is found; the fingerprint follows the text") {
  RuleKinds kinds = BuiltinRuleKinds();
  kinds.Add({"echo", [](const ConfigNode&, SharedTable&, RuleSpec& spec,
                        ConfigErrors&) { return NewWindowRule(spec, {WindowType::kCount, 0, 0,
                                                                     0, 0, 1, {}, 1}); }});
  CHECK(kinds.Find("echo") != nullptr);
  CHECK(kinds.Find("window") != nullptr);
  RuleSet a, b, c;
  CHECK(LoadRuleText("[[rule]]\nname = \"e\"\nkind = \"echo\"\n", "f", kinds, &a).empty());
  CHECK(LoadRuleText("[[rule]]\nkind = \"echo\"\nname = \"e\"\n", "f", kinds, &b).empty());
  CHECK(LoadRuleText("[[rule]]\nkind = \"echo\"\nname = \"e\"\nstream = \"x\"\n", "f", kinds, &c)
            .empty());
  CHECK(a.rules[0].spec.fingerprint == b.rules[0].spec.fingerprint);
  CHECK(a.rules[0].spec.fingerprint != c.rules[0].spec.fingerprint);
}

TEST_CASE("the example rule files load") {
  RuleSet set;
  const auto errors =
      LoadRuleDir(std::string(EF_EXAMPLES_DIR) + "/rules", BuiltinRuleKinds(), false, &set);
  for (const std::string& e : errors) FAIL_CHECK(e);
  CHECK(set.rules.size() == 10);  // 9 windows and detectors, and anomaly.toml
}

TEST_CASE("a publish key names a local topic; an empty one is refused") {
  CHECK(Errors("[[rule]]\nname = \"r\"\nkind = \"window\"\nwindow = \"count\"\n"
               "events = 3\npublish = \"hmi/{device}\"\n").empty());
  CHECK_FALSE(Errors("[[rule]]\nname = \"r\"\nkind = \"window\"\nwindow = \"count\"\n"
                     "events = 3\npublish = \"\"\n").empty());
}

TEST_CASE("a rule lists the fields its keys name, at the key, without device and stream") {
  RuleSet set = LoadOrFail(R"([[rule]]
name = "refs"
kind = "window"
window = "tumbling"
size = "1m"
fields = ["temp", "rpm"]
where = "mode == 'run' and device != 'x' and temp > 0"
group_by = ["device", "line"]
)");
  REQUIRE(set.rules.size() == 1);
  const std::vector<FieldRef>& refs = set.rules[0].spec.field_refs;
  REQUIRE(refs.size() == 5);
  const std::string expected[][3] = {{"temp", "fields", "6:1"}, {"rpm", "fields", "6:1"},
                                     {"mode", "where", "7:1"},  {"temp", "where", "7:1"},
                                     {"line", "group_by", "8:1"}};
  for (size_t i = 0; i < refs.size(); ++i) {
    CAPTURE(i);
    CHECK(refs[i].name == expected[i][0]);
    CHECK(refs[i].key == expected[i][1]);
    CHECK(std::to_string(refs[i].pos.line) + ":" + std::to_string(refs[i].pos.col) ==
          expected[i][2]);
  }
  // The default group_by names no field.
  RuleSet plain = LoadOrFail("[[rule]]\nname = \"p\"\nkind = \"window\"\n"
                             "window = \"count\"\nevents = 5\n");
  REQUIRE(plain.rules.size() == 1);
  CHECK(plain.rules[0].spec.field_refs.empty());
}

}  // namespace
}  // namespace ef::rules::testing
