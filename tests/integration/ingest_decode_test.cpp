// Decoding at ingest through a real broker: a source with a topic template, JSON fields and a
// time field; its events reach the cloud with the topic's names, typed fields and the
// payload's time.
#include <doctest/doctest.h>

#include <string>

#include "tests/integration/gateway_rig.h"
#include "tests/support/cloud_collector.h"

namespace ef::testkit {
namespace {

using std::chrono::seconds;

constexpr char kDecodedSource[] =
    "[[sources.mqtt]]\n"
    "name = \"decoded\"\n"
    "uri = \"{edge_uri}\"\n"
    "client_id = \"edgeferry-decode-test\"\n"
    "topics = [\"site/#\"]\n"
    "topic_template = \"site/{site}/{device}/data\"\n"
    "data_format = \"json\"\n"
    "fields = [\"temp\", \"sensors.rpm\"]\n"
    "time_field = \"ts\"\n"
    "time_format = \"unix_ms\"\n";

TEST_CASE("a decoding source's events carry the topic's names, typed fields and payload time") {
  GatewayOptions options;
  options.sources_toml = kDecodedSource;
  GatewayRig rig(options);
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  CloudCollector collector(rig.CloudCollectorOptions());
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));

  TestPublisher publisher(rig.EdgePublisherOptions());
  REQUIRE_MESSAGE(publisher.Connect(DeadlineIn(seconds(15))), publisher.error());
  REQUIRE(publisher.Publish("site/north/pump-1/data",
                            R"({"ts":1700000000123,"temp":21.5,"x":1,"sensors":{"rpm":1480}})",
                            DeadlineIn(seconds(10))));
  REQUIRE(publisher.WaitAllAcked(DeadlineIn(seconds(10))));
  REQUIRE(collector.WaitForCount(1, DeadlineIn(seconds(30))));

  const std::string message = collector.Arrivals()[0].message;
  INFO("cloud message: " << message);
  CHECK(message.find(R"("device":"pump-1")") != std::string::npos);
  CHECK(message.find(R"("event_time":1700000000123)") != std::string::npos);
  CHECK(message.find(R"("fields":{"site":"north","temp":21.5,"sensors.rpm":1480})") !=
        std::string::npos);
  REQUIRE(rig.StopDaemon(DeadlineIn(seconds(30))) == 0);
}

}  // namespace
}  // namespace ef::testkit
