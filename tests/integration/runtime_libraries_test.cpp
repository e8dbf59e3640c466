// Which libraries `edgeferry run` loads (daemon/runtime_libraries.h), seen from outside in
// /proc/PID/maps of the real daemon against real brokers:
// (a) plain MQTT in and out: libpaho-mqtt3a only; neither libpaho-mqtt3as nor libnats, so
//     no OpenSSL through them; events reach the cloud.
// (b) a reload that would bring TLS to a gateway started without it is refused (a restart
//     loads libpaho-mqtt3as); the gateway runs on as before.
// (c) a library without the functions edgeferry needs fails the start, naming both.
// TLS (libpaho-mqtt3as loaded, events through mutual TLS) is checked in tls_test.cpp.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "tests/integration/ferry_rig.h"
#include "tests/integration/plant_load.h"
#include "tests/integration/uplink_rig.h"
#include "tests/support/cloud_collector.h"
#include "tests/support/net.h"
#include "tests/support/process.h"
#include "tests/support/shared_libraries.h"

#ifndef EF_FAKE_PAHO_DIR
#define EF_FAKE_PAHO_DIR ""
#endif

namespace ef::testkit {
namespace {

using std::chrono::seconds;

// A plain cloud broker with a collector on it.
BrokerOptions CloudBroker() {
  BrokerOptions options;
  options.name = "cloud";
  return options;
}

CollectorOptions Collector(const MosquittoBroker& broker) {
  CollectorOptions options;
  options.uri = broker.uri();
  options.client_id = "ef-libs-cloud";
  return options;
}

struct PlainCloud {
  MosquittoBroker broker{CloudBroker()};
  CloudCollector collector{Collector(broker)};

  void Start() {
    REQUIRE_MESSAGE(broker.Start(DeadlineIn(seconds(10))), broker.Log());
    REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());
  }
  std::string Uplink() const {
    return "uri = \"" + broker.uri() + "\"\nclient_id = \"edgeferry-libs-test\"\n";
  }
};

void Publish(UplinkRig& rig, const PlantLoad& load) {
  TestPublisher publisher(PublisherOptions{.uri = rig.edge().uri()});
  REQUIRE_MESSAGE(publisher.Connect(DeadlineIn(seconds(15))), publisher.error());
  std::string error;
  REQUIRE_MESSAGE(PublishPlant(publisher, load, DeadlineIn(seconds(60)), &error), error);
}

TEST_CASE("plain MQTT in and out: the daemon maps libpaho-mqtt3a, not libpaho-mqtt3as, "
          "libnats or OpenSSL through them, and events reach the cloud") {
  PlainCloud cloud;
  cloud.Start();
  UplinkRig rig;
  REQUIRE(rig.edge().Start(DeadlineIn(seconds(10))));
  rig.WriteConfig(cloud.Uplink());
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));
  CHECK(rig.WaitForLog("MQTT library: libpaho-mqtt3a.so.1 (no MQTT URI uses TLS)",
                       DeadlineIn(seconds(5))));

  const PlantLoad load{.devices = 5, .total = 500};
  Publish(rig, load);
  CHECK(cloud.collector.WaitForCount(500, DeadlineIn(seconds(30))));
  std::vector<std::string> missing =
      cloud.collector.MissingCounters(load.DeviceIds(), load.PerDevice());
  CHECK_MESSAGE(missing.empty(), DescribeMissing(missing));

  const std::set<std::string> mapped = MappedLibraries(rig.DaemonPid());
  const std::optional<std::set<std::string>> linked =
      LinkedLibraries(EdgeferryPath(), DeadlineIn(seconds(10)));
  REQUIRE(linked.has_value());
  for (const char* name : {"libpaho-mqtt3a.so", "libpaho-mqtt3as.so", "libnats.so"}) {
    INFO(name);
    CHECK(linked->count(name) == 0);  // loaded at run time, never linked
  }
  CHECK(mapped.count("libpaho-mqtt3a.so") == 1);
  CHECK(mapped.count("libpaho-mqtt3as.so") == 0);
  CHECK(mapped.count("libnats.so") == 0);
  for (const char* name : {"libssl.so", "libcrypto.so"}) {
    if (linked->count(name) != 0) {  // then another linked library needs it (cpp-httplib)
      MESSAGE(name << " is mapped anyway: a library edgeferry links needs it");
      continue;
    }
    INFO(name);
    CHECK(mapped.count(name) == 0);
  }
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
}

TEST_CASE("a reload that brings TLS to a gateway started without it is refused: it needs a "
          "restart, and the gateway runs on as before") {
  PlainCloud cloud;
  cloud.Start();
  UplinkRig rig;
  REQUIRE(rig.edge().Start(DeadlineIn(seconds(10))));
  rig.WriteConfig(cloud.Uplink());
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));

  const std::string tls_uri = "ssl://127.0.0.1:" + std::to_string(FreeLoopbackPort());
  rig.WriteConfig("uri = \"" + tls_uri + "\"\nclient_id = \"edgeferry-libs-test\"\n");
  REQUIRE(rig.Reload(DeadlineIn(seconds(20))));
  CHECK(rig.WaitForLog("reload refused", DeadlineIn(seconds(5))));
  CHECK(rig.WaitForLog("needs libpaho-mqtt3as.so.1, but this process loaded "
                       "libpaho-mqtt3a.so.1 (for uplink " + tls_uri +
                           "): restart edgeferry to load it",
                       DeadlineIn(seconds(5))));
  CHECK(MappedLibraries(rig.DaemonPid()).count("libpaho-mqtt3as.so") == 0);

  const PlantLoad load{.devices = 5, .total = 100};
  Publish(rig, load);  // the uplink it had still runs
  CHECK(cloud.collector.WaitForCount(100, DeadlineIn(seconds(30))));
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
}

TEST_CASE("a Paho library without the functions edgeferry calls fails the start, naming both") {
  REQUIRE(std::string(EF_FAKE_PAHO_DIR) != "");
  UplinkRig rig;
  REQUIRE(rig.edge().Start(DeadlineIn(seconds(10))));
  rig.WriteConfig("uri = \"tcp://127.0.0.1:1\"\n");
  // ld.so finds the empty libpaho-mqtt3a.so.1 of EF_FAKE_PAHO_DIR before the system's.
  CHECK_FALSE(rig.StartDaemon(DeadlineIn(seconds(30)), "info",
                              {{"LD_LIBRARY_PATH", EF_FAKE_PAHO_DIR}}));
  CHECK(rig.StopDaemon(DeadlineIn(seconds(10))) == 1);
  INFO("daemon log:\n" << rig.DaemonLog());
  CHECK(rig.LogLines("cannot start: libpaho-mqtt3a.so.1 has no MQTTAsync_").size() == 1);
}

}  // namespace
}  // namespace ef::testkit
