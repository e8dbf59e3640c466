// A three-node NATS JetStream cluster as the cloud, edgeferry given all three MQTT listeners
// (`uris`, tried in turn). The node edgeferry is connected to (node 1, first in the list) is
// killed with SIGKILL in the middle of a steady stream; edgeferry moves to another node and a
// persistent-session QoS 1 subscriber on node 3 gets every event. Duplicates are allowed
// (at-least-once) and reported; a loss is a failure.
#include "tests/support/nats_cluster.h"

#include <doctest/doctest.h>

#include <sstream>

#include "tests/integration/ferry_rig.h"
#include "tests/integration/plant_load.h"
#include "tests/integration/uplink_rig.h"
#include "tests/support/cloud_collector.h"

namespace ef::testkit {
namespace {

using std::chrono::seconds;

std::string Tail(const std::string& text, size_t bytes) {
  return text.size() > bytes ? "..." + text.substr(text.size() - bytes) : text;
}

TEST_CASE("NATS cluster: killing the node edgeferry uses loses no event") {
  NatsCluster cluster;
  REQUIRE_MESSAGE(cluster.Start(DeadlineIn(seconds(20))), cluster.Log(0));
  std::string why;
  REQUIRE_MESSAGE(cluster.WaitMqttReady(DeadlineIn(seconds(60)), &why), why << "\nnode 1 log:\n"
                                                                            << cluster.Log(0));

  UplinkRig rig;
  REQUIRE(rig.edge().Start(DeadlineIn(seconds(10))));
  // NATS's MQTT needs a client id; the persistent session lives in JetStream (3 replicas).
  CollectorOptions collector_options;
  collector_options.uri = cluster.mqtt_uri(2);
  collector_options.client_id = "ef-nats-collector";
  CloudCollector collector(collector_options);
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(30))), collector.error());

  // JSON batches of at most 500 events (~60 KB here), far below NATS's 1 MB max_payload.
  std::ostringstream uplink;
  uplink << "uris = "
         << TomlStrings({cluster.mqtt_uri(0), cluster.mqtt_uri(1), cluster.mqtt_uri(2)}) << "\n"
         << "client_id = \"edgeferry-nats-test\"\n"
         << "batch = \"json\"\n"
         << "max_message_bytes = 262144\n";
  rig.WriteConfig(uplink.str());
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30)), "debug"));
  REQUIRE(rig.WaitForLog("uplink: connected to cloud", DeadlineIn(seconds(30))));

  // 8,000 events at 1,000/s: node 1 dies at about 2,500, with a few seconds still to come.
  const PlantLoad load{.devices = 20, .total = 8'000, .rate_per_s = 1'000};
  BackgroundPlantLoad publish(rig.edge().uri(), load, DeadlineIn(seconds(60)));
  REQUIRE(collector.WaitForCount(2'500, DeadlineIn(seconds(30))));
  const size_t before_kill = collector.Stats().unique;
  cluster.Kill(0);
  // Proof that edgeferry was on node 1: it lost its connection, then found another node.
  CHECK(rig.WaitForLog("connection to cloud", DeadlineIn(seconds(30))));
  const bool reconnected = rig.WaitForLog("uplink: connected to cloud", DeadlineIn(seconds(30)), 2);
  CHECK_MESSAGE(reconnected, "edgeferry did not report a new connection after node 1 died");

  REQUIRE_MESSAGE(publish.Join(), publish.error());
  // Without a new connection nothing more will come: do not wait the full minute for it.
  const bool all_arrived =
      collector.WaitForCount(8'000, DeadlineIn(reconnected ? seconds(60) : seconds(5)));
  CollectorStats stats = collector.Stats();
  MESSAGE("before the kill: " << before_kill << ", unique: " << stats.unique << ", received: "
                              << stats.received << ", duplicates: " << stats.duplicate_seq
                              << ", batches: " << stats.batches
                              << ", collector reconnects: " << stats.connection_losses);
  for (const std::string& line : rig.LogLines("uplink:")) MESSAGE("daemon: " << line);
  CHECK(all_arrived);
  if (!all_arrived) {
    for (size_t node = 1; node < cluster.size(); ++node) {
      MESSAGE("node " << node + 1 << " log (tail):\n" << Tail(cluster.Log(node), 3000));
    }
  }
  std::vector<std::string> missing = collector.MissingCounters(load.DeviceIds(), load.PerDevice());
  CHECK_MESSAGE(missing.empty(), DescribeMissing(missing));
  CHECK(stats.seq_reused == 0);
  CHECK(stats.reingested == 0);
  CHECK(stats.unparsed == 0);
  CHECK(rig.DaemonRunning());
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
}

}  // namespace
}  // namespace ef::testkit
