// Rule fields against data contracts: a field no contract for the rule's input declares is a
// warning at the rule's key, with a did-you-mean hint or the field's new name; rules whose
// input no contract describes are not checked.
#include "daemon/rule_field_check.h"

#include <doctest/doctest.h>

#include "pipeline/contract/contract_loader.h"
#include "rules/rule_kinds.h"

namespace ef::daemon {
namespace {

constexpr char kPump[] = R"(name = "pump"
topic_template = "site/{site}/{device}/data"
version_field = "schema"
[[versions]]
version = 1
[[versions.fields]]
name = "t"
type = "float"
[[versions]]
version = 2
[[versions.fields]]
name = "temp"
renamed_from = "t"
type = "float"
[[versions.fields]]
name = "rpm"
type = "int"
default = 0
)";

constexpr char kMeter[] = R"(name = "meter"
stream = "energy"
[[versions]]
version = 1
[[versions.fields]]
name = "kwh"
type = "float"
)";

std::vector<pipeline::Contract> Contracts() {
  std::vector<pipeline::Contract> out;
  for (const auto& [text, file] : {std::pair{kPump, "contracts.d/pump.toml"},
                                   std::pair{kMeter, "contracts.d/meter.toml"}}) {
    ConfigErrors errors(file);
    out.push_back(pipeline::ParseContract(text, file, errors));
    REQUIRE(errors.empty());
  }
  return out;
}

std::vector<std::string> Check(const std::string& rule_text) {
  rules::RuleSet set;
  const auto errors =
      rules::LoadRuleText(rule_text, "rules.d/r.toml", rules::BuiltinRuleKinds(), &set);
  REQUIRE(errors.empty());
  return CheckRuleFields(set, Contracts());
}

std::string Rule(const std::string& match_and_fields) {
  return "[[rule]]\nname = \"r\"\nkind = \"window\"\nwindow = \"count\"\nevents = 5\n" +
         match_and_fields;
}

TEST_CASE("a declared field, the version field and a topic capture give no warning") {
  CHECK(Check(Rule("topic = \"site/+/+/data\"\nfields = [\"temp\", \"rpm\"]\n"
                   "where = \"schema == 2 and device != 'x'\"\ngroup_by = [\"site\"]\n"))
            .empty());
  CHECK(Check(Rule("stream = \"energy\"\nfields = [\"kwh\"]\n")).empty());
}

TEST_CASE("an undeclared field is a warning at its key, with a did-you-mean hint") {
  const auto lines =
      Check(Rule("stream = \"telemetry\"\ntopic = \"site/#\"\nfields = [\"temp\", \"rpms\"]\n"));
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] ==
        "rules.d/r.toml:8:1: warning: rule 'r': 'fields' names field \"rpms\", which no data "
        "contract for its input declares (contract 'pump') (did you mean \"rpm\"?)");
  // Without a stream, the stream contract may bind the rule's events too: both are named.
  const auto any_stream = Check(Rule("topic = \"site/#\"\nfields = [\"rpms\"]\n"));
  REQUIRE(any_stream.size() == 1);
  CHECK(any_stream[0].find("(contracts 'pump', 'meter') (did you mean \"rpm\"?)") !=
        std::string::npos);
}

TEST_CASE("a renamed field names its new name; where and group_by are checked too") {
  const auto lines =
      Check(Rule("topic = \"site/+/+/data\"\nfields = [\"t\"]\nwhere = \"temp > 0 and "
                 "presure < 3\"\ngroup_by = [\"line\"]\n"));
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] ==
        "rules.d/r.toml:7:1: warning: rule 'r': 'fields' names field \"t\", which no data "
        "contract for its input declares (contracts 'pump', 'meter'); it was renamed to "
        "\"temp\"");
  CHECK(lines[1].starts_with("rules.d/r.toml:8:1: warning: rule 'r': 'where' names field "
                             "\"presure\""));
  CHECK(lines[2].starts_with("rules.d/r.toml:9:1: warning: rule 'r': 'group_by' names field "
                             "\"line\""));
}

TEST_CASE("a rule reading any input is checked against every contract") {
  const auto lines = Check(Rule("fields = [\"kwhh\"]\n"));
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] ==
        "rules.d/r.toml:6:1: warning: rule 'r': 'fields' names field \"kwhh\", which no data "
        "contract for its input declares (contracts 'pump', 'meter') (did you mean \"kwh\"?)");
  CHECK(Check(Rule("fields = [\"kwh\"]\n")).empty());  // declared by one of them: enough
}

TEST_CASE("a rule whose input no contract describes is not checked") {
  // A stream contract binds whatever the topic, a topic contract whatever the stream: only a
  // rule restricted on both sides away from every contract is left out.
  CHECK(Check(Rule("stream = \"telemetry\"\ntopic = \"plant/#\"\nfields = [\"anything\"]\n"))
            .empty());
  rules::RuleSet set;
  REQUIRE(rules::LoadRuleText(Rule("fields = [\"anything\"]\n"), "r.toml",
                              rules::BuiltinRuleKinds(), &set)
              .empty());
  CHECK(CheckRuleFields(set, {}).empty());  // no contract at all
}

}  // namespace
}  // namespace ef::daemon
