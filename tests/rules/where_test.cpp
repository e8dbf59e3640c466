// The `where` filter, topic filters and device globs of the rule spec.
#include "rules/where.h"

#include <doctest/doctest.h>

#include "rules/rule_spec.h"

namespace ef::rules {
namespace {

Event Sample() {
  Event e;
  e.stream = "telemetry";
  e.device_id = "press-7";
  e.fields = {{"temp", 41.5}, {"rpm", int64_t{1480}}, {"mode", std::string("run")},
              {"alarm", false}};
  return e;
}

TEST_CASE("where: comparisons joined by and, numbers across int and double, strings, bools") {
  struct Case {
    const char* text;
    bool passes;
  };
  const Case cases[] = {
      {"", true},
      {"temp > 40", true},
      {"temp > 41.5", false},
      {"temp >= 41.5", true},
      {"rpm == 1480", true},
      {"rpm < 1480.5", true},
      {"rpm != 1480", false},
      {"mode == 'run'", true},
      {"mode == \"stop\"", false},
      {"mode < 's'", true},
      {"alarm == false", true},
      {"alarm == 0", false},  // a bool is not a number here
      {"missing > 0", false},
      {"missing != 0", false},  // a missing field fails every clause
      {"device == 'press-7' and stream == 'telemetry'", true},
      {"temp > -5 and rpm > 1000 and mode != 'stop'", true},
      {"temp > 40 and rpm > 2000", false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    Where where;
    std::string error;
    size_t offset = 0;
    REQUIRE(where.Parse(c.text, &error, &offset));
    CHECK(where.Passes(Sample()) == c.passes);
  }
}

TEST_CASE("where: errors say what is wrong and where") {
  struct Case {
    const char* text;
    const char* error;
    size_t offset;
  };
  const Case cases[] = {
      {"temp 40", "expected one of == != < <= > >= after 'temp'", 5},
      {"temp > ", "expected a value (a number, true, false or a quoted string)", 7},
      {"mode == run", "'run' is not a value: quote strings ('run')", 8},
      {"mode == 'run", "unterminated string", 8},
      {"temp > 1 or rpm > 2", "expected 'and' between comparisons", 9},
      {"> 3", "expected a field name", 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    Where where;
    std::string error;
    size_t offset = 0;
    CHECK(!where.Parse(c.text, &error, &offset));
    CHECK(error == c.error);
    CHECK(offset == c.offset);
  }
}

TEST_CASE("topic filters and device globs") {
  CHECK(TopicMatches("plant/+/telemetry", "plant/dev-1/telemetry"));
  CHECK(TopicMatches("plant/{device}/telemetry", "plant/dev-1/telemetry"));
  CHECK(!TopicMatches("plant/+/telemetry", "plant/dev-1/telemetry/x"));
  CHECK(!TopicMatches("plant/+/telemetry", "plant/telemetry"));
  CHECK(TopicMatches("plant/#", "plant/a/b/c"));
  CHECK(TopicMatches("plant/#", "plant"));
  CHECK(!TopicMatches("site/#", "plant/a"));
  struct Glob {
    const char* pattern;
    const char* device;
    bool matches;
  };
  const Glob globs[] = {{"press-*", "press-7", true},      {"press-*", "pump-1", false},
                        {"press-7", "press-7", true},      {"press-?", "press-12", false},
                        {"*-7", "press-7", true},          {"press-[0-4]", "press-7", false},
                        {"", "x", true}};
  RuleSpec spec;
  for (const auto& [pattern, device, matches] : globs) {
    CAPTURE(pattern);
    spec.device = pattern;
    PrepareGlob(spec);
    Event e = Sample();
    e.device_id = device;
    CHECK(Matches(spec, e) == matches);
    if (*pattern != '\0') CHECK(GlobMatches(pattern, device) == matches);
  }
}

TEST_CASE("where: fields() lists the compared fields once, in order") {
  Where where;
  std::string error;
  size_t offset = 0;
  REQUIRE(where.Parse("temp > 40 and mode == 'run' and temp < 90", &error, &offset));
  CHECK(where.fields() == std::vector<std::string>{"temp", "mode"});
  REQUIRE(where.Parse("", &error, &offset));
  CHECK(where.fields().empty());
}

}  // namespace
}  // namespace ef::rules
