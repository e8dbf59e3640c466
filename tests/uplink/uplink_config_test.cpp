#include <doctest/doctest.h>

#include "daemon/daemon_config.h"

namespace ef::daemon {
namespace {

constexpr char kSource[] = "[[sources.mqtt]]\nname = \"edge\"\nuri = \"tcp://127.0.0.1:1883\"\n"
                           "[gateway]\nid = \"gw-1\"\n";

TEST_CASE("the aws-iot-core profile sets the AWS limits, batching and its client id") {
  DaemonConfig config;
  const auto errors = LoadConfigText(
      std::string(kSource) + "[uplink]\nprofile = \"aws-iot-core\"\n"
                             "uri = \"ssl://abc-ats.iot.eu-west-1.amazonaws.com:8883\"\n"
                             "max_publishes_per_s = 50\n",
      "gw.toml", &config);
  REQUIRE(errors.empty());
  const auto& up = *config.uplink;
  CHECK(up.max_message_bytes == 128 * 1024);
  CHECK(up.max_publishes_per_s == 50);  // an explicit value wins over the profile
  CHECK(up.max_bytes_per_s == 512 * 1024);
  CHECK(up.min_connect_interval_ms == 1000);
  CHECK(up.batch == uplink::BatchFormat::kJson);
  CHECK(up.topic == "edgeferry/{gateway}/{stream}");
  CHECK(up.client_id == "edgeferry-gw-1");
}

TEST_CASE("the azure profile derives client id, user name and topic from the hub and device") {
  DaemonConfig config;
  const auto errors = LoadConfigText(
      std::string(kSource) + "[uplink]\nprofile = \"azure-iot-hub\"\n"
                             "uri = \"ssl://myhub.azure-devices.net:8883\"\n",
      "gw.toml", &config);
  REQUIRE(errors.empty());
  const auto& up = *config.uplink;
  CHECK(up.client_id == "gw-1");
  CHECK(up.username == "myhub.azure-devices.net/gw-1/?api-version=2021-04-12");
  CHECK(up.topic == "devices/gw-1/messages/events/stream={stream}");
  CHECK(up.max_message_bytes == 256 * 1024);
}

TEST_CASE("cloud profiles refuse plain TCP, and batches refuse a {device} topic") {
  DaemonConfig config;
  auto errors = LoadConfigText(std::string(kSource) +
                                   "[uplink]\nprofile = \"aws-iot-core\"\nuri = \"tcp://h:1883\"\n",
                               "gw.toml", &config);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "gw.toml:6:1: profile 'aws-iot-core' needs ssl:// URIs, not tcp://h:1883");
  errors = LoadConfigText(std::string(kSource) +
                              "[uplink]\nuri = \"tcp://h:1883\"\nbatch = \"json\"\n"
                              "topic = \"x/{device}\"\n",
                          "gw.toml", &config);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] ==
        "gw.toml:9:9: 'topic': {device} needs batch = \"none\" (a batch holds several devices)");
}

TEST_CASE("a cluster is a list of URIs, the generic profile keeps one event per publish") {
  DaemonConfig config;
  const auto errors = LoadConfigText(
      std::string(kSource) +
          "[uplink]\nuris = [\"tcp://n1:1883\", \"tcp://n2:1883\", \"tcp://n3:1883\"]\n",
      "gw.toml", &config);
  REQUIRE(errors.empty());
  CHECK(uplink::BrokerUris(*config.uplink).size() == 3);
  CHECK(config.uplink->batch == uplink::BatchFormat::kNone);
  CHECK(config.uplink->topic == "edgeferry/{gateway}/{stream}/{device}");
  CHECK(config.uplink->max_publishes_per_s == 0);
}

}  // namespace
}  // namespace ef::daemon
