// Alerts through the real daemon between real brokers: MQTT readings are decoded, a detector
// rule in rules.d raises an alert when a pump runs hot and clears it when it cools down; both
// transitions reach the cloud on the alerts stream, once each, with the values that caused
// them, and the local broker on the rule's `publish` topic (for an HMI or an actuator).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/integration/gateway_rig.h"
#include "tests/support/cloud_collector.h"
#include "tests/support/envelope.h"

namespace ef::testkit {
namespace {

using std::chrono::seconds;

constexpr char kSource[] =
    "[[sources.mqtt]]\n"
    "name = \"plant\"\n"
    "uri = \"{edge_uri}\"\n"
    "client_id = \"edgeferry-alerts-test\"\n"
    "topics = [\"site/#\"]\n"
    "topic_template = \"site/{site}/{device}/data\"\n"
    "data_format = \"json\"\n"
    "fields = [\"temp\"]\n"
    "time_field = \"ts\"\n"
    "time_format = \"unix_ms\"\n";

constexpr char kRule[] = R"([[rule]]
name = "pump-hot"
kind = "detector"
fields = ["temp"]
detector = "threshold"
limit = 80
hysteresis = 5
severity = "critical"
publish = "hmi/{device}/alerts/{rule}"
)";

// The alert envelopes that reached the cloud, in arrival order, without QoS 1 redeliveries.
std::vector<Envelope> Alerts(const CloudCollector& collector) {
  std::vector<Envelope> alerts;
  std::vector<int64_t> seen;
  for (const Arrival& a : collector.Arrivals()) {
    if (!a.envelope || a.envelope->stream != "alerts" || !a.envelope->seq) continue;
    if (std::find(seen.begin(), seen.end(), *a.envelope->seq) != seen.end()) continue;
    seen.push_back(*a.envelope->seq);
    alerts.push_back(*a.envelope);
  }
  return alerts;
}

bool Has(const Envelope& e, const std::string& text) {
  return e.payload && e.payload->find(text) != std::string::npos;
}

TEST_CASE("a detector rule raises and clears an alert from MQTT input; cloud and local topic") {
  GatewayOptions options;
  options.sources_toml = kSource;
  GatewayRig rig(options);
  const auto rules_dir = rig.config_file().parent_path() / "rules.d";
  std::filesystem::create_directories(rules_dir);
  std::ofstream(rules_dir / "alerts.toml") << kRule;
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  CloudCollector collector(rig.CloudCollectorOptions());
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());
  CollectorOptions hmi_options;
  hmi_options.uri = rig.edge().uri();
  hmi_options.client_id = "ef-test-hmi";
  hmi_options.topic_filter = "hmi/#";
  CloudCollector hmi(hmi_options);  // a local subscriber, as an HMI would be
  REQUIRE_MESSAGE(hmi.Connect(DeadlineIn(seconds(15))), hmi.error());
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));

  TestPublisher publisher(rig.EdgePublisherOptions());
  REQUIRE_MESSAGE(publisher.Connect(DeadlineIn(seconds(15))), publisher.error());
  const std::vector<double> temps = {60, 62, 91, 93, 78, 70, 65};  // hot at 3, cool at 6
  for (size_t i = 0; i < temps.size(); ++i) {
    const std::string payload = "{\"ts\":" + std::to_string(1700000000000 + 1000 * i) +
                                ",\"temp\":" + std::to_string(temps[i]) + "}";
    REQUIRE(publisher.Publish("site/north/pump-1/data", payload, DeadlineIn(seconds(10))));
  }
  REQUIRE(publisher.WaitAllAcked(DeadlineIn(seconds(10))));
  REQUIRE(WaitUntil(DeadlineIn(seconds(30)), [&] { return Alerts(collector).size() >= 2; }));

  const std::vector<Envelope> alerts = Alerts(collector);
  REQUIRE(alerts.size() == 2);
  INFO("raised: " << alerts[0].payload.value_or("") << "\ncleared: "
                  << alerts[1].payload.value_or(""));
  CHECK(alerts[0].device == "pump-1");
  CHECK(Has(alerts[0], R"("state":"raised")"));
  CHECK(Has(alerts[0], R"("rule":"pump-hot")"));
  CHECK(Has(alerts[0], R"("severity":"critical")"));
  CHECK(Has(alerts[0], R"("trigger_value":91)"));
  CHECK(alerts[0].event_time_ms.value_or(alerts[0].time_ms.value_or(0)) == 1700000002000);
  CHECK(Has(alerts[1], R"("state":"cleared")"));
  CHECK(Has(alerts[1], R"("alert_id":1)"));
  CHECK(Has(alerts[1], R"("peak_score":13)"));

  REQUIRE(WaitUntil(DeadlineIn(seconds(30)), [&] { return hmi.Arrivals().size() >= 2; }));
  const std::vector<Arrival> local = hmi.Arrivals();
  REQUIRE(local.size() >= 2);
  CHECK(local[0].topic == "hmi/pump-1/alerts/pump-hot");
  CHECK(local[0].message.find(R"("state":"raised")") != std::string::npos);
  CHECK(local[0].message.find(R"("device":"pump-1")") != std::string::npos);
  CHECK(local[1].message.find(R"("state":"cleared")") != std::string::npos);
  REQUIRE(rig.StopDaemon(DeadlineIn(seconds(30))) == 0);
}

}  // namespace
}  // namespace ef::testkit
