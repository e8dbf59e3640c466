// A source that would ingest the uplink's own topics on the same broker is a config error.
#include "daemon/self_ingest.h"

#include <doctest/doctest.h>

#include "core/topic_template.h"

namespace ef::daemon {
namespace {

TEST_CASE("topic filters overlap when some topic matches both") {
  CHECK(TopicFiltersOverlap("#", "edgeferry/gw/+/+"));
  CHECK(TopicFiltersOverlap("edgeferry/+/telemetry/#", "edgeferry/gw/+/+"));
  CHECK(TopicFiltersOverlap("a/#", "a"));
  CHECK(TopicFiltersOverlap("+/+", "a/b"));
  CHECK_FALSE(TopicFiltersOverlap("plant/#", "edgeferry/gw/+/+"));
  CHECK_FALSE(TopicFiltersOverlap("+/+", "a/b/c"));
  CHECK_FALSE(TopicFiltersOverlap("edgeferry/other/#", "edgeferry/gw/+/+"));
}

TEST_CASE("brokers compare by host and port, loopback names as one") {
  CHECK(BrokerKey("tcp://localhost") == BrokerKey("tcp://127.0.0.1:1883"));
  CHECK(BrokerKey("ssl://Cloud.Example") == "cloud.example:8883");
  CHECK(BrokerKey("tcp://127.0.0.1:1884") != BrokerKey("tcp://127.0.0.1:1883"));
  CHECK(TemplateAsFilter("edgeferry/{gateway}/{stream}/{device}", "gw") == "edgeferry/gw/+/+");
}

TEST_CASE("a source subscribed to the uplink's topics on its broker is refused at its filter") {
  DaemonConfig config;
  auto errors = LoadConfigText(
      "[gateway]\nid = \"gw\"\n"
      "[[sources.mqtt]]\nname = \"edge\"\nuri = \"tcp://localhost:1883\"\n"
      "topics = [\"plant/#\", \"#\"]\n"
      "[uplink]\nuri = \"tcp://127.0.0.1:1883\"\n",
      "gw.toml", &config);
  REQUIRE(errors.size() == 1);
  INFO(errors[0]);
  CHECK(errors[0].starts_with("gw.toml:6:22: source 'edge' subscribes to \"#\""));
  // Another broker, or a filter beside the uplink's topics: fine.
  errors = LoadConfigText(
      "[[sources.mqtt]]\nname = \"edge\"\nuri = \"tcp://localhost:1883\"\n"
      "topics = [\"plant/#\"]\n[uplink]\nuri = \"tcp://127.0.0.1:1883\"\n",
      "gw.toml", &config);
  CHECK(errors.empty());
  errors = LoadConfigText(
      "[[sources.mqtt]]\nname = \"edge\"\nuri = \"tcp://localhost:1883\"\n"
      "[uplink]\nuri = \"ssl://cloud.example:8883\"\n",
      "gw.toml", &config);
  CHECK(errors.empty());
}

}  // namespace
}  // namespace ef::daemon
