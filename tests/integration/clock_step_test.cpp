// Issue 16: steps of the wall clock, as boards without a real-time clock see them (they boot
// in the past and NTP jumps them forward; a bad time source sets them back), against the real
// brokers and the real daemon. Only the daemon's CLOCK_REALTIME moves: libfaketime (the MT
// build, FAKETIME_DONT_FAKE_MONOTONIC=1) reads the offset from a file the test rewrites while
// the daemon runs (see /work/shared/recipes/faketime.md). 500 events/s from 20 devices, with
// [streams.telemetry] ttl_s = 3600, each case for batch = "none" and "json":
//   - forward step +7 days with the cloud down;
//   - backward step 1 hour with live traffic;
//   - restart with a small backlog on a clock 7 days behind, then a step to the present.
// In every case: everything is delivered, nothing expired (every event is far younger than its
// TTL in real elapsed time), no seq is reused, and delivery resumes within a second of the
// cloud being reachable (the uplink's connection reaching it; the reconnect backoff before
// that is not what this test is about) and never pauses for a second while it is.
#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>

#include "tests/integration/gateway_rig.h"
#include "tests/integration/steady_publish.h"
#include "tests/integration/telemetry_workload.h"
#include "tests/integration/uplink_rig.h"
#include "tests/support/cloud_collector.h"
#include "tests/support/tcp_gate.h"

namespace ef::testkit {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr SteadyLoad kLoad{.devices = 20, .rate = 500};
constexpr auto kResumeWithin = seconds(1);

// libfaketime's multi-threaded build, wherever the Debian package put it for this machine.
std::string FaketimeLibrary() {
  for (const auto& entry : fs::directory_iterator("/usr/lib")) {
    const fs::path lib = entry.path() / "faketime" / "libfaketimeMT.so.1";
    if (fs::exists(lib)) return lib.string();
  }
  return {};
}

// The brokers (the cloud behind a TcpGate: "down" without stopping it), the cloud-side
// collector, and the daemon under libfaketime, configured for `batch`.
class ClockRig {
 public:
  explicit ClockRig(const std::string& batch)
      : cloud_(CloudBroker()), faketime_file_(rig_.dir().File("faketime.rc")) {
    REQUIRE_MESSAGE(!FaketimeLibrary().empty(), "libfaketimeMT is missing: run scripts/setup.sh");
    SetOffset("+0");
    REQUIRE(cloud_.Start(DeadlineIn(seconds(10))));
    gate_ = std::make_unique<TcpGate>(cloud_.port());
    REQUIRE(rig_.edge().Start(DeadlineIn(seconds(10))));
    CollectorOptions options;
    options.uri = cloud_.uri();
    options.client_id = "ef-clock-collector";
    collector_ = std::make_unique<CloudCollector>(options);
    REQUIRE_MESSAGE(collector_->Connect(DeadlineIn(seconds(15))), collector_->error());
    std::ostringstream uplink;
    uplink << "uri = \"" << gate_->uri() << "\"\n"
           << "client_id = \"edgeferry-clock-test\"\n"
           << "batch = \"" << batch << "\"\n"
           << "topic = \"edgeferry/{gateway}/{stream}" << (batch == "none" ? "/{device}" : "")
           << "\"\n";
    rig_.WriteConfig(uplink.str(), {TelemetrySource()}, "[streams.telemetry]\nttl_s = 3600\n");
  }

  // Starts the daemon with the cloud reachable, and 500 events/s, until 200 arrived.
  void StartFlowing() {
    REQUIRE(StartDaemon());
    OpenCloud();
    StartPublishing();
    WaitForMore(200);
  }
  void StartPublishing() { publish_ = std::make_unique<SteadyPublish>(rig_.edge().uri(), kLoad); }

  // Writes the daemon's clock offset ("+7d", "-3600", "+0") atomically: it sees it at once.
  void SetOffset(const std::string& offset) {
    const fs::path temp = faketime_file_.string() + ".tmp";
    WriteFile(temp, offset + "\n");
    fs::rename(temp, faketime_file_);
  }
  bool StartDaemon() {
    return rig_.StartDaemon(DeadlineIn(seconds(30)), "info",
                            {{"LD_PRELOAD", FaketimeLibrary()},
                             {"FAKETIME_TIMESTAMP_FILE", faketime_file_.string()},
                             {"FAKETIME_NO_CACHE", "1"},
                             {"FAKETIME_DONT_FAKE_MONOTONIC", "1"}});
  }
  // Opens the gate and returns when the running daemon's uplink connection came through it.
  SteadyClock::time_point OpenCloud() {
    const uint64_t before = gate_->accepted();
    REQUIRE(gate_->Open());
    REQUIRE(WaitUntil(DeadlineIn(seconds(15)), [&] { return gate_->accepted() > before; }));
    return SteadyNow();
  }
  // Checks that the next event arrives within kResumeWithin of `from`.
  void CheckResumesWithin(SteadyClock::time_point from, size_t arrived_before) {
    REQUIRE(collector_->WaitForCount(arrived_before + 1, DeadlineIn(seconds(30))));
    const auto took = SteadyNow() - from;
    MESSAGE("delivery resumed " << std::chrono::duration_cast<milliseconds>(took).count()
                                << " ms after the cloud was reachable");
    CHECK(took < kResumeWithin);
  }
  // Waits until `n` more events than now have arrived.
  void WaitForMore(size_t n) {
    REQUIRE(collector_->WaitForCount(collector_->Stats().unique + n, DeadlineIn(seconds(30))));
  }
  // Stops the publisher and the daemon; checks that everything arrived, once per seq, and
  // that nothing expired. `live_since`: the longest pause between arrivals after it is < 1 s.
  void CheckDelivered(SteadyClock::time_point live_since);

  UplinkRig& rig() { return rig_; }
  TcpGate& gate() { return *gate_; }
  CloudCollector& collector() { return *collector_; }

 private:
  static BrokerOptions CloudBroker() {
    BrokerOptions options;
    options.name = "cloud";
    return options;
  }

  UplinkRig rig_;
  MosquittoBroker cloud_;
  std::unique_ptr<TcpGate> gate_;
  std::unique_ptr<CloudCollector> collector_;
  const fs::path faketime_file_;
  std::unique_ptr<SteadyPublish> publish_;
};

void ClockRig::CheckDelivered(SteadyClock::time_point live_since) {
  REQUIRE(publish_);
  REQUIRE_MESSAGE(publish_->Stop(DeadlineIn(seconds(30))), publish_->error());
  const size_t published = publish_->published();
  const TelemetryWorkload workload{.devices = kLoad.devices, .total = static_cast<int>(published)};
  CHECK(collector_->WaitForCount(published, DeadlineIn(seconds(30))));
  const std::vector<std::string> missing =
      collector_->MissingCounters(workload.DeviceIds(), workload.PerDevice());
  CHECK_MESSAGE(missing.empty(), missing.size() << " events never arrived");
  CHECK(collector_->Stats().seq_reused == 0);
  CHECK(collector_->Stats().unparsed == 0);
  SteadyClock::duration longest{};
  SteadyClock::time_point last = live_since;
  for (const Arrival& a : collector_->Arrivals()) {
    if (a.at < live_since) continue;
    longest = std::max(longest, a.at - last);
    last = a.at;
  }
  MESSAGE(published << " events; longest pause in delivery "
                    << std::chrono::duration_cast<milliseconds>(longest).count() << " ms");
  CHECK(longest < kResumeWithin);
  REQUIRE(rig_.StopDaemon(DeadlineIn(seconds(20))) == 0);
  const std::optional<DaemonTotals> totals = ParseExitTotals(rig_.DaemonLog());
  REQUIRE(totals);
  CHECK(totals->expired == 0);
  CHECK(totals->dropped == 0);
}

void ForwardStepWithTheCloudDown(const std::string& batch) {
  ClockRig clock(batch);
  INFO("daemon log:\n" << clock.rig().DaemonLog());
  clock.StartFlowing();
  clock.gate().Close();                       // the cloud goes down...
  HoldUntil(DeadlineIn(milliseconds(1500)));  // ...for a while (a deliberate outage)
  clock.SetOffset("+7d");                     // NTP steps the clock a week forward
  REQUIRE(clock.rig().WaitForLog("stepped forward by", DeadlineIn(seconds(5))));
  HoldUntil(DeadlineIn(milliseconds(1500)));  // TTL sweeps run after the step, cloud down
  const size_t before = clock.collector().Stats().unique;
  const auto reachable = clock.OpenCloud();
  clock.CheckResumesWithin(reachable, before);
  clock.WaitForMore(200);
  clock.CheckDelivered(reachable);
}

void BackwardStepWithLiveTraffic(const std::string& batch) {
  ClockRig clock(batch);
  INFO("daemon log:\n" << clock.rig().DaemonLog());
  clock.StartFlowing();
  const auto flowing = SteadyNow();
  clock.SetOffset("-3600");  // a bad time source sets the clock an hour back
  REQUIRE(clock.rig().WaitForLog("stepped backward by", DeadlineIn(seconds(5))));
  clock.WaitForMore(500);  // live traffic keeps flowing across the step
  clock.CheckDelivered(flowing);
}

void RestartOnAStaleClockThenStep(const std::string& batch) {
  ClockRig clock(batch);
  INFO("daemon log:\n" << clock.rig().DaemonLog());
  REQUIRE(clock.StartDaemon());  // the cloud is down from the start: a backlog builds
  clock.StartPublishing();
  REQUIRE(WaitUntil(
      DeadlineIn(seconds(20)), [&] { return clock.rig().QueuedEvents().value_or(0) >= 300; },
      milliseconds(50)));
  REQUIRE(clock.rig().StopDaemon(DeadlineIn(seconds(20))) == 0);
  clock.SetOffset("-7d");  // the board reboots a week in the past, the cloud reachable
  REQUIRE(clock.gate().Open());
  const size_t before = clock.collector().Stats().unique;
  REQUIRE(clock.StartDaemon());
  const auto ready = SteadyNow();
  clock.CheckResumesWithin(ready, before);  // the backlog goes at once
  clock.WaitForMore(500);
  clock.SetOffset("+0");  // NTP steps it to the present
  REQUIRE(clock.rig().WaitForLog("stepped forward by", DeadlineIn(seconds(5))));
  clock.WaitForMore(500);
  clock.CheckDelivered(ready);
}

TEST_CASE("clock step: +7 days with a TTL and the cloud down (batch none)") {
  ForwardStepWithTheCloudDown("none");
}
TEST_CASE("clock step: +7 days with a TTL and the cloud down (batch json)") {
  ForwardStepWithTheCloudDown("json");
}
TEST_CASE("clock step: -1 hour with live traffic (batch none)") {
  BackwardStepWithLiveTraffic("none");
}
TEST_CASE("clock step: -1 hour with live traffic (batch json)") {
  BackwardStepWithLiveTraffic("json");
}
TEST_CASE("clock step: restart 7 days behind with a backlog, then to the present (batch none)") {
  RestartOnAStaleClockThenStep("none");
}
TEST_CASE("clock step: restart 7 days behind with a backlog, then to the present (batch json)") {
  RestartOnAStaleClockThenStep("json");
}

}  // namespace
}  // namespace ef::testkit
