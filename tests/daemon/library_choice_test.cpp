// Which Paho build `edgeferry run` loads (daemon/library_choice.h): the plain one unless an
// MQTT URI of the configuration needs TLS; libnats only for a JetStream uplink. Checked on
// configurations loaded as the daemon loads them.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "daemon/daemon_config.h"
#include "daemon/library_choice.h"

namespace ef::daemon {
namespace {

TEST_CASE("a URI needs TLS unless its scheme is one Paho serves in the clear") {
  struct Row {
    std::string_view uri;
    bool tls;
  };
  constexpr Row kRows[] = {
      {"tcp://127.0.0.1:1883", false}, {"mqtt://broker:1883", false},
      {"ws://broker:80/mqtt", false},  {"ssl://broker:8883", true},
      {"mqtts://broker:8883", true},   {"wss://broker:443/mqtt", true},
      {"broker:1883", true},           {"", true},
      {"TCP://broker:1883", true},  // Paho's schemes are lower case: the TLS build decides
  };
  for (const Row& row : kRows) {
    INFO(row.uri);
    CHECK(MqttUriNeedsTls(row.uri) == row.tls);
  }
}

constexpr char kPlainSource[] =
    "[gateway]\nid = \"gw-1\"\n"
    "[[sources.mqtt]]\nname = \"edge\"\nuri = \"tcp://127.0.0.1:1883\"\n";

TEST_CASE("the configuration decides the Paho build and whether libnats is needed") {
  struct Row {
    std::string_view name;
    std::string text;
    MqttVariant variant;
    std::string_view reason;
    bool nats;
  };
  const Row rows[] = {
      {"a plain source, no uplink", kPlainSource, MqttVariant::kPlain, "", false},
      {"a TLS source", std::string(kPlainSource) +
                           "[[sources.mqtt]]\nname = \"secure\"\nuri = \"ssl://b:8883\"\n",
       MqttVariant::kTls, "source 'secure' ssl://b:8883", false},
      {"a plain uplink", std::string(kPlainSource) + "[uplink]\nuri = \"tcp://cloud:1883\"\n",
       MqttVariant::kPlain, "", false},
      {"a TLS uplink", std::string(kPlainSource) + "[uplink]\nuri = \"ssl://cloud:8883\"\n",
       MqttVariant::kTls, "uplink ssl://cloud:8883", false},
      {"a failover node with TLS",
       std::string(kPlainSource) +
           "[uplink]\nuris = [\"tcp://a:1883\", \"tcp://b:1883\", \"ssl://c:8883\"]\n",
       MqttVariant::kTls, "uplink ssl://c:8883", false},
      {"a plain uri and a TLS one in uris",
       std::string(kPlainSource) + "[uplink]\nuri = \"tcp://a:1883\"\nuris = [\"ssl://b:8883\"]\n",
       MqttVariant::kTls, "uplink ssl://b:8883", false},
      {"a cloud profile (TLS only)",
       std::string(kPlainSource) +
           "[uplink]\nprofile = \"aws-iot-core\"\nuri = \"ssl://x.iot.amazonaws.com:8883\"\n",
       MqttVariant::kTls, "uplink ssl://x.iot.amazonaws.com:8883", false},
      {"a JetStream uplink (its TLS is libnats')",
       std::string(kPlainSource) + "[uplink]\nkind = \"jetstream\"\n[uplink.jetstream]\n"
                                   "servers = [\"tls://n:4222\"]\nstream = \"EF\"\n",
       MqttVariant::kPlain, "", true},
  };
  for (const Row& row : rows) {
    INFO(row.name);
    DaemonConfig config;
    const auto errors = LoadConfigText(row.text, "gw.toml", &config);
    REQUIRE(errors.empty());
    const MqttChoice choice = ChooseMqttLibrary(config);
    CHECK(choice.variant == row.variant);
    CHECK(choice.reason == row.reason);
    CHECK(NeedsNatsLibrary(config) == row.nats);
  }
}

}  // namespace
}  // namespace ef::daemon
