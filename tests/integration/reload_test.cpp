// Reloads under load: 200 SIGHUPs while a steady telemetry stream flows through the real
// brokers. At each reload the daemon stops its uplink (finishing what is in flight) and starts
// a new one, while ingest and the pipeline run on and keep committing, so the pipeline's
// wake-ups race with the uplink being destroyed and rebuilt.
//
// What must hold: the daemon never crashes and its sanitizers (scripts/test.sh runs this test
// against an AddressSanitizer build too) report nothing; every message reaches the cloud, and
// none twice; and the totals agree across reloads: received = committed = uplinked + queued.
#include <doctest/doctest.h>

#include <signal.h>

#include "tests/integration/ferry_rig.h"
#include "tests/integration/gateway_rig.h"
#include "tests/integration/steady_publish.h"
#include "tests/integration/telemetry_workload.h"
#include "tests/support/cloud_collector.h"

namespace ef::testkit {
namespace {

using std::chrono::seconds;

constexpr int kReloads = 200;
constexpr int kDevices = 20;
constexpr int kRate = 2000;  // messages/s

TEST_CASE("reload: 200 SIGHUPs during a steady load lose, duplicate and miscount nothing") {
  GatewayRig rig;
  CloudCollector collector(rig.CloudCollectorOptions());
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));
  SteadyPublish publish(rig.edge().uri(), SteadyLoad{.devices = kDevices, .rate = kRate});
  REQUIRE_MESSAGE(collector.WaitForCount(200, DeadlineIn(seconds(30))), publish.error());

  for (int i = 0; i < kReloads; ++i) {
    CAPTURE(i + 1);
    rig.SignalDaemon(SIGHUP);
    REQUIRE(rig.notify().WaitFor("RELOADING=1", DeadlineIn(seconds(20))));
    REQUIRE(rig.notify().WaitFor("READY=1", DeadlineIn(seconds(20))));
  }
  REQUIRE_MESSAGE(publish.Stop(DeadlineIn(seconds(60))), publish.error());
  const size_t published = publish.published();
  CHECK(collector.WaitForCount(published, DeadlineIn(seconds(60))));
  REQUIRE(rig.StopDaemon(DeadlineIn(seconds(30))) == 0);

  const std::string log = rig.FullDaemonLog();
  CHECK(log.find("Sanitizer") == std::string::npos);
  CHECK(log.find("runtime error:") == std::string::npos);  // UndefinedBehaviorSanitizer
  CHECK(log.find("configuration reloaded") != std::string::npos);

  const CollectorStats stats = collector.Stats();
  CHECK(stats.unique == published);
  CHECK(stats.duplicate_seq == 0);
  CHECK(stats.reingested == 0);
  CHECK(stats.unparsed == 0);
  const std::vector<std::string> missing =
      collector.MissingCounters(TelemetryWorkload{.devices = kDevices}.DeviceIds(),
                                static_cast<int64_t>(published / kDevices));
  CHECK_MESSAGE(missing.empty(), DescribeMissing(missing));

  const std::optional<DaemonTotals> totals = rig.ExitTotals();
  REQUIRE(totals);
  CHECK(totals->received == published);
  CHECK(totals->committed == totals->received);
  CHECK(totals->uplinked + totals->queued == totals->committed);
  CHECK(totals->queued == 0);
  CHECK(totals->dead_lettered == 0);
  MESSAGE(kReloads << " reloads; published " << published << ", cloud received "
                   << stats.received << " (" << stats.unique << " unique)");
}

}  // namespace
}  // namespace ef::testkit
