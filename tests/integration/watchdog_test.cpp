// Under systemd's watchdog (WatchdogSec= sets WATCHDOG_USEC), the real daemon pings
// WATCHDOG=1 every half interval while its threads turn. That a stuck thread stops the pings
// is shown in tests/daemon/watchdog_test.cpp and tests/pipeline/pipeline_test.cpp.
#include <doctest/doctest.h>

#include "tests/integration/gateway_rig.h"

namespace ef::testkit {
namespace {

using std::chrono::seconds;

TEST_CASE("watchdog: the daemon pings WATCHDOG=1 every half interval while it runs") {
  GatewayOptions options;
  options.env = {{"WATCHDOG_USEC", "4000000"}};  // a ping every 2 s
  GatewayRig rig(options);
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));
  for (int i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK(rig.notify().WaitFor("WATCHDOG=1", DeadlineIn(seconds(5))));
  }
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
  CHECK(rig.FullDaemonLog().find("not pinging systemd's watchdog") == std::string::npos);
}

}  // namespace
}  // namespace ef::testkit
