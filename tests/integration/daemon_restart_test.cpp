// edgeferry is stopped with SIGTERM in the middle of the stream and started again with the same
// config and data directory. The edge broker keeps queuing for the daemon's persistent session
// meanwhile; the queue on disk and the resend after restart make sure nothing is lost.
#include <doctest/doctest.h>

#include "tests/integration/ferry_rig.h"
#include "tests/support/cloud_collector.h"

namespace ef::testkit {
namespace {

using std::chrono::seconds;

TEST_CASE("a daemon restart mid-stream loses nothing") {
  const TelemetryWorkload workload{.devices = 20, .total = 10'000};
  FerryRig rig;
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  CloudCollector collector(rig.CloudCollectorOptions());
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));

  BackgroundPublish publish(rig.edge().uri(), workload, DeadlineIn(seconds(90)));
  REQUIRE(collector.WaitForCount(2'000, DeadlineIn(seconds(60))));
  size_t before_stop = collector.Stats().unique;
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
  CHECK(rig.notify().WaitFor("STOPPING=1", DeadlineIn(seconds(1))));
  size_t at_stop = collector.Stats().unique;
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));

  REQUIRE_MESSAGE(publish.Join(), publish.error());
  bool all_arrived = collector.WaitForCount(10'000, DeadlineIn(seconds(60)));
  CollectorStats stats = collector.Stats();
  MESSAGE("before stop: " << before_stop << ", when stopped: " << at_stop
                          << ", unique: " << stats.unique << ", received: " << stats.received
                          << ", duplicate seq: " << stats.duplicate_seq << ", re-ingested: "
                          << stats.reingested << ", out of order: " << stats.out_of_order);
  CHECK(all_arrived);
  std::vector<std::string> missing = collector.MissingCounters(workload.DeviceIds(), 500);
  CHECK_MESSAGE(missing.empty(), DescribeMissing(missing));
  CHECK(stats.seq_reused == 0);
  CHECK(stats.unparsed == 0);
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
}

}  // namespace
}  // namespace ef::testkit
