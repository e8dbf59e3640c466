// The cloud broker goes away for 5 s in the middle of the stream and comes back on the same
// port: edgeferry keeps ingesting into its queue, reconnects, and nothing is lost.
#include <doctest/doctest.h>

#include "tests/integration/ferry_rig.h"
#include "tests/support/cloud_collector.h"

namespace ef::testkit {
namespace {

using std::chrono::seconds;

TEST_CASE("a 5 s cloud outage mid-stream loses nothing") {
  const TelemetryWorkload workload{.devices = 20, .total = 10'000};
  FerryRig rig;
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  CloudCollector collector(rig.CloudCollectorOptions());
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));

  BackgroundPublish publish(rig.edge().uri(), workload, DeadlineIn(seconds(90)));
  REQUIRE(collector.WaitForCount(2'000, DeadlineIn(seconds(60))));
  size_t before_outage = collector.Stats().unique;
  REQUIRE(rig.cloud().Stop(DeadlineIn(seconds(10))));
  HoldUntil(DeadlineIn(seconds(5)));  // the outage itself: real wall time, not a wait
  CHECK(rig.DaemonRunning());
  REQUIRE_MESSAGE(rig.cloud().Start(DeadlineIn(seconds(10))), rig.cloud().Log());

  REQUIRE_MESSAGE(publish.Join(), publish.error());
  bool all_arrived = collector.WaitForCount(10'000, DeadlineIn(seconds(60)));
  CollectorStats stats = collector.Stats();
  MESSAGE("before outage: " << before_outage << ", unique: " << stats.unique << ", received: "
                            << stats.received << ", duplicate seq: " << stats.duplicate_seq
                            << ", re-ingested: " << stats.reingested
                            << ", out of order: " << stats.out_of_order
                            << ", collector reconnects: " << stats.connection_losses);
  CHECK(all_arrived);
  std::vector<std::string> missing = collector.MissingCounters(workload.DeviceIds(), 500);
  CHECK_MESSAGE(missing.empty(), DescribeMissing(missing));
  CHECK(stats.seq_reused == 0);
  CHECK(stats.unparsed == 0);
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
}

}  // namespace
}  // namespace ef::testkit
