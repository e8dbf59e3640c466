// Write-behind ([queue] persist_after_ms) against the real daemon: during a cloud outage,
// events the cloud has not acknowledged are written once they are persist_after_ms old; a
// kill -9 may lose only the younger ones.
//
// What must hold (asserted): every message published more than the window before the kill
// (persist_after_ms + commit_interval_ms + a margin for a loaded machine) reaches the cloud
// after the restart; every message published after the kill does too (the edge broker keeps
// them for the daemon's session); no seq is issued twice (seqs are reserved ahead in the file).
// What is reported: how many of the messages inside the window were lost.
#include <doctest/doctest.h>

#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/gateway_rig.h"
#include "tests/integration/steady_publish.h"
#include "tests/integration/telemetry_workload.h"
#include "tests/support/cloud_collector.h"

namespace ef::testkit {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kRate = 2000;
constexpr int kDevices = 20;
constexpr int kPersistAfterMs = 300;
constexpr int kCommitIntervalMs = 10;
constexpr int kMarginMs = 300;  // scheduling on a shared, loaded machine; Paho's receive path

// Message i of SteadyPublish: device i % kDevices, counter i / kDevices.
bool Arrived(const CloudCollector& collector, size_t i) {
  return collector.HasCounter(TelemetryWorkload::DeviceId(static_cast<int>(i % kDevices)),
                              static_cast<int64_t>(i / kDevices));
}

size_t MissingBelow(const CloudCollector& collector, size_t from, size_t to) {
  size_t missing = 0;
  for (size_t i = from; i < to; ++i) missing += !Arrived(collector, i);
  return missing;
}

TEST_CASE("write-behind: kill -9 during an outage loses only events younger than the window") {
  GatewayOptions options;
  options.queue_toml = "commit_interval_ms = " + std::to_string(kCommitIntervalMs) +
                       "\npersist_after_ms = " + std::to_string(kPersistAfterMs) + "\n";
  GatewayRig rig(options);
  CloudCollector collector(rig.CloudCollectorOptions());
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));
  SteadyPublish publish(rig.edge().uri(), SteadyLoad{.devices = kDevices, .rate = kRate});
  REQUIRE_MESSAGE(collector.WaitForCount(500, DeadlineIn(seconds(30))), publish.error());

  // Outage: events now wait in the daemon, in memory and (once old enough) in the file.
  REQUIRE(rig.cloud().Stop(DeadlineIn(seconds(10))));
  std::vector<std::pair<SteadyClock::time_point, size_t>> samples;  // (when, published)
  const size_t target = publish.published() + kRate * 3 / 2;          // 1.5 s of load
  REQUIRE(WaitUntil(
      DeadlineIn(seconds(30)),
      [&] {
        samples.emplace_back(SteadyNow(), publish.published());
        return samples.back().second >= target;
      },
      milliseconds(2)));
  rig.KillDaemon();
  const SteadyClock::time_point killed_at = SteadyNow();
  const size_t at_kill = publish.published();
  const auto window = milliseconds(kPersistAfterMs + kCommitIntervalMs + kMarginMs);
  size_t safe = 0;  // messages published at least `window` before the kill
  for (const auto& [when, published] : samples) {
    if (when + window <= killed_at) safe = published;
  }
  REQUIRE(safe > 0);

  REQUIRE_MESSAGE(publish.Stop(DeadlineIn(seconds(60))), publish.error());
  const size_t total = publish.published();
  REQUIRE(rig.cloud().Start(DeadlineIn(seconds(10))));
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));
  // Everything outside the window arrives: before it (written) and after the kill (queued
  // for the daemon's session at the edge broker).
  const bool complete = WaitUntil(
      DeadlineIn(seconds(90)),
      [&] { return MissingBelow(collector, 0, safe) == 0 && MissingBelow(collector, at_kill, total) == 0; },
      milliseconds(200));
  const size_t lost_before = MissingBelow(collector, 0, safe);
  const size_t lost_after = MissingBelow(collector, at_kill, total);
  const size_t lost_window = MissingBelow(collector, safe, at_kill);
  const CollectorStats cs = collector.Stats();
  MESSAGE("published " << total << ", killed at " << at_kill << ", safe below " << safe
                       << "; lost inside the window " << lost_window << " of "
                       << at_kill - safe << ", outside " << lost_before + lost_after);
  std::printf("write_behind_test: window %d ms, %zu messages in it, %zu of them lost\n",
              static_cast<int>(window.count()), at_kill - safe, lost_window);
  CHECK(complete);
  CHECK(lost_before == 0);
  CHECK(lost_after == 0);
  CHECK(cs.seq_reused == 0);
  CHECK(cs.unparsed == 0);

  // Flash wear in `queue stats` after a clean stop: the second run's writes and events.
  REQUIRE(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
  std::string error;
  std::optional<QueueStats> stats = rig.ReadStats(DeadlineIn(seconds(10)), &error);
  REQUIRE_MESSAGE(stats, error);
  MESSAGE("queue stats after the stop: written " << stats->written_bytes.value_or(0)
                                                 << " bytes for "
                                                 << stats->written_events.value_or(0)
                                                 << " events");
  REQUIRE(stats->written_bytes.has_value());
  REQUIRE(stats->written_events.has_value());
  CHECK(*stats->written_bytes > 0);
  CHECK(*stats->written_events > 0);
  CHECK(*stats->written_events <= total);  // at most what this run queued
  REQUIRE(stats->written_per_event.has_value());
  CHECK(*stats->written_per_event > 0);
}

}  // namespace
}  // namespace ef::testkit
