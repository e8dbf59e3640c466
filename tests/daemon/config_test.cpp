// Configuration errors name the exact file:line:col, as `edgeferry check` prints them.
#include <doctest/doctest.h>

#include <map>

#include "daemon/daemon_config.h"

namespace ef::daemon {
namespace {

std::vector<std::string> Errors(std::string_view text) {
  DaemonConfig config;
  return LoadConfigText(text, "gw.toml", &config);
}

constexpr char kValidSource[] = "[[sources.mqtt]]\nname = \"edge\"\nuri = \"tcp://127.0.0.1:1883\"\n";

TEST_CASE("a valid file loads with its values and the machine defaults") {
  DaemonConfig config;
  const auto errors = LoadConfigText(
      "[gateway]\nid = \"gw-1\"\ndata_dir = \"/tmp/x\"\n"
      "[[sources.mqtt]]\nname = \"edge\"\nuri = \"tcp://127.0.0.1:1883\"\n"
      "topics = [\"plant/+/telemetry\"]\n"
      "[queue]\ncommit_interval_ms = 5\n"
      "[uplink]\nuri = \"ssl://cloud.example:8883\"\n",
      "gw.toml", &config);
  REQUIRE(errors.empty());
  CHECK(config.gateway.id == "gw-1");
  REQUIRE(config.mqtt_sources.size() == 1);
  CHECK(config.mqtt_sources[0].topics == std::vector<std::string>{"plant/+/telemetry"});
  CHECK(config.mqtt_sources[0].client_id == "edgeferry-gw-1-edge");
  CHECK(config.queue.commit_interval_ms == 5);
  REQUIRE(config.uplink.has_value());
  CHECK(config.uplink->client_id == "edgeferry-gw-1");
  CHECK(config.uplink->max_inflight == 100);
}

TEST_CASE("the embedded defaults ingest from the local broker and have no uplink") {
  DaemonConfig config;
  REQUIRE(LoadConfig("", &config).empty());
  REQUIRE(config.mqtt_sources.size() == 1);
  CHECK(config.mqtt_sources[0].uri == "tcp://127.0.0.1:1883");
  CHECK_FALSE(config.uplink.has_value());
  CHECK_FALSE(config.gateway.data_dir.empty());
}

TEST_CASE("an unknown key is reported at its position with a hint") {
  const auto errors = Errors(std::string(kValidSource) + "[uplink]\nuri = \"tcp://c:1\"\nmax_inflite = 5\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] ==
        "gw.toml:6:1: unknown key 'max_inflite' in [uplink] (did you mean 'max_inflight'?)");
}

TEST_CASE("an unknown key with nothing close gets no hint") {
  const auto errors = Errors(std::string(kValidSource) + "[queue]\n  colour = 1\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "gw.toml:5:3: unknown key 'colour' in [queue]");
}

TEST_CASE("an unknown section is reported with a hint") {
  const auto errors = Errors(std::string(kValidSource) + "[uplnk]\nuri = \"tcp://c:1\"\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "gw.toml:4:2: unknown key 'uplnk' in the top level (did you mean 'uplink'?)");
}

TEST_CASE("a wrong type names the key and both types") {
  const auto errors = Errors(std::string(kValidSource) + "[queue]\ncommit_interval_ms = \"10\"\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] ==
        "gw.toml:5:22: 'commit_interval_ms' in [queue] must be an integer, not a string");
}

TEST_CASE("a missing required key names the key at the table header") {
  const auto errors = Errors(std::string(kValidSource) + "\n[uplink]\nqos = 1\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "gw.toml:5:1: missing required key 'uri' (or 'uris') in [uplink]");
}

TEST_CASE("a bad URI is reported at the value") {
  const auto errors = Errors("[[sources.mqtt]]\nname = \"edge\"\nuri = \"http://x:1883\"\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] ==
        "gw.toml:3:7: 'uri': URI 'http://x:1883' must start with tcp:// or ssl://");
  const auto port = Errors("[[sources.mqtt]]\nname = \"edge\"\nuri = \"tcp://x:99999\"\n");
  REQUIRE(port.size() == 1);
  CHECK(port[0] == "gw.toml:3:7: 'uri': URI 'tcp://x:99999' has an invalid port");
}

TEST_CASE("catch_up is live_first by default, in_order for alerts, and checked") {
  DaemonConfig config;
  REQUIRE(LoadConfigText(std::string(kValidSource) + "[streams.lab]\ncatch_up = \"in_order\"\n",
                         "gw.toml", &config)
              .empty());
  std::map<std::string, std::string> catch_up;
  for (const auto& s : config.queue.streams) catch_up[s.name] = s.catch_up;
  CHECK(catch_up["telemetry"] == "live_first");
  CHECK(catch_up["alerts"] == "in_order");
  CHECK(catch_up["lab"] == "in_order");
  const auto errors = Errors(std::string(kValidSource) + "[streams.lab]\ncatch_up = \"lifo\"\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "gw.toml:5:12: 'catch_up': must be \"live_first\" or \"in_order\", not \"lifo\"");
}

TEST_CASE("a TOML syntax error is reported where the parser stopped") {
  const auto errors = Errors("[gateway]\nid = \"unterminated\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].rfind("gw.toml:2:", 0) == 0);
}

TEST_CASE("every error is reported, not just the first") {
  const auto errors = Errors(
      "[[sources.mqtt]]\nname = \"a\"\nuri = \"tcp://h:1\"\nqos = 2\n"
      "[[sources.mqtt]]\nname = \"a\"\nuri = \"tcp://h:1\"\n"
      "[queue]\ndurability = \"fast\"\n");
  REQUIRE(errors.size() == 3);
  CHECK(errors[0] == "gw.toml:4:7: 'qos': QoS must be 0 or 1");
  CHECK(errors[1] == "gw.toml:6:8: duplicate source name 'a'");
  CHECK(errors[2] == "gw.toml:9:14: 'durability': must be \"normal\" or \"full\", not \"fast\"");
}

TEST_CASE("a file without sources is an error") {
  const auto errors = Errors("[gateway]\nid = \"x\"\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "gw.toml:1:1: no source configured: add at least one [[sources.mqtt]] table");
}

}  // namespace
}  // namespace ef::daemon
