// TopicTemplate: named levels of an MQTT topic.
#include "core/topic_template.h"

#include <doctest/doctest.h>

namespace ef {
namespace {

TEST_CASE("named levels capture, literals must match, + and # skip") {
  auto t = TopicTemplate::Parse("plant/{site}/{device}/telemetry");
  REQUIRE(t.ok());
  std::vector<TopicTemplate::Capture> c;
  REQUIRE(t->Match("plant/north/dev-7/telemetry", &c));
  REQUIRE(c.size() == 2);
  CHECK(c[0].first == "site");
  CHECK(c[0].second == "north");
  CHECK(c[1].second == "dev-7");
  CHECK_FALSE(t->Match("plant/north/dev-7", &c));
  CHECK_FALSE(t->Match("plant/north/dev-7/telemetry/x", &c));
  CHECK_FALSE(t->Match("farm/north/dev-7/telemetry", &c));
  auto rest = TopicTemplate::Parse("+/{device}/#");
  REQUIRE(rest.ok());
  CHECK(rest->Match("a/d1", &c));
  CHECK(rest->Match("a/d1/x/y", &c));
  CHECK(c[0].second == "d1");
}

TEST_CASE("templates that cannot be meant are refused") {
  CHECK_FALSE(TopicTemplate::Parse("a/#/b").ok());
  CHECK_FALSE(TopicTemplate::Parse("a/{}").ok());
  CHECK_FALSE(TopicTemplate::Parse("a/{x}/{x}").ok());
  CHECK_FALSE(TopicTemplate::Parse("a/x{y}").ok());
  CHECK_FALSE(TopicTemplate::Parse("a/b+").ok());
}

}  // namespace
}  // namespace ef
