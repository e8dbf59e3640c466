// A damaged queue file at start-up: edgeferry moves it aside as queue.db.corrupt-<UTC time>,
// says so loudly in its log, and runs on with a fresh queue, so telemetry keeps flowing from the
// edge to the cloud. It must never refuse to start or crash-loop (systemd would restart it
// forever while the edge broker piles up messages).
//   (a) queue.db is garbage (not an SQLite file at all);
//   (b) a real queue, written by a run without uplink, truncated to half with its WAL deleted
//       (what a full disk, a bad copy or a power cut on a weak SD card leaves behind).
#include <doctest/doctest.h>

#include <filesystem>
#include <random>

#include "tests/integration/gateway_rig.h"
#include "tests/integration/telemetry_workload.h"
#include "tests/support/cloud_collector.h"

namespace ef::testkit {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kDamagedLine[] = "THE QUEUE DATABASE WAS DAMAGED";

// The quarantined main files (not their -wal/-shm) in `dir`.
std::vector<fs::path> Quarantined(const fs::path& dir) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("queue.db.corrupt-") && !name.ends_with("-wal") &&
        !name.ends_with("-shm")) {
      found.push_back(entry.path());
    }
  }
  return found;
}

std::string Garbage(size_t size) {
  std::mt19937 rng(7);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(rng() & 0xFF);
  return bytes;
}

// Publishes `workload` to the edge and waits until all of it reached the cloud.
void CheckTelemetryFlows(GatewayRig& rig, CloudCollector& collector,
                         const TelemetryWorkload& workload) {
  TestPublisher publisher(rig.EdgePublisherOptions());
  REQUIRE_MESSAGE(publisher.Connect(DeadlineIn(seconds(15))), publisher.error());
  std::string error;
  REQUIRE_MESSAGE(PublishTelemetry(publisher, workload, DeadlineIn(seconds(60)), &error), error);
  CHECK(collector.WaitForCount(static_cast<size_t>(workload.total), DeadlineIn(seconds(60))));
  std::vector<std::string> missing =
      collector.MissingCounters(workload.DeviceIds(), workload.PerDevice());
  CHECK_MESSAGE(missing.empty(), missing.size() << " missing");
  CHECK(rig.DaemonRunning());
}

TEST_CASE("damaged queue: a garbage queue file is moved aside and telemetry still flows") {
  GatewayRig rig;
  INFO("daemon log:\n" << rig.DaemonLog());
  const std::string garbage = Garbage(64 * 1024);
  WriteFile(rig.data_dir() / "queue.db", garbage);
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  CloudCollector collector(rig.CloudCollectorOptions());
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());

  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));  // READY despite the damage
  CHECK(rig.FullDaemonLog().find(kDamagedLine) != std::string::npos);
  const std::vector<fs::path> aside = Quarantined(rig.data_dir());
  REQUIRE(aside.size() == 1);
  CHECK(ReadFile(aside[0]) == garbage);  // kept byte for byte, for whoever investigates

  CheckTelemetryFlows(rig, collector, TelemetryWorkload{.devices = 20, .total = 1000});
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
  std::string error;
  std::optional<QueueStats> stats = rig.ReadStats(DeadlineIn(seconds(10)), &error);
  REQUIRE_MESSAGE(stats, error);
  // After a quarantine the numbering continues above the wall clock in microseconds, so no
  // seq the damaged file may have used comes back.
  CHECK(stats->last_seq > 1'000'000'000'000'000ULL);
  CHECK(stats->events == 0);
}

TEST_CASE("damaged queue: a truncated queue file is moved aside and telemetry still flows") {
  GatewayOptions options;
  options.uplink = false;  // the first run keeps everything in the queue
  GatewayRig rig(options);
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  CloudCollector collector(rig.CloudCollectorOptions());
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());

  // A real queue of 5000 events.
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));
  {
    TestPublisher publisher(rig.EdgePublisherOptions());
    REQUIRE_MESSAGE(publisher.Connect(DeadlineIn(seconds(15))), publisher.error());
    std::string error;
    REQUIRE_MESSAGE(PublishTelemetry(publisher, TelemetryWorkload{.devices = 20, .total = 5000},
                                     DeadlineIn(seconds(60)), &error),
                    error);
  }
  std::string error;
  const bool all_queued = WaitUntil(
      DeadlineIn(seconds(30)),
      [&] {
        std::optional<QueueStats> stats = rig.ReadStats(DeadlineIn(seconds(10)), &error);
        return stats && stats->events == 5000;
      },
      milliseconds(100));
  REQUIRE_MESSAGE(all_queued, error);
  REQUIRE(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);

  const fs::path db = rig.data_dir() / "queue.db";
  const auto full_size = fs::file_size(db);
  const bool had_wal = fs::exists(db.string() + "-wal");
  fs::remove(db.string() + "-wal");
  fs::remove(db.string() + "-shm");
  fs::resize_file(db, full_size / 2);
  MESSAGE("queue.db was " << full_size << " bytes (WAL present after stop: " << had_wal
                          << "), truncated to " << full_size / 2);

  rig.SetUplink(true);
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));  // READY despite the damage
  CHECK(rig.FullDaemonLog().find(kDamagedLine) != std::string::npos);
  const std::vector<fs::path> aside = Quarantined(rig.data_dir());
  REQUIRE(aside.size() == 1);
  CHECK(fs::file_size(aside[0]) == full_size / 2);

  CheckTelemetryFlows(rig, collector, TelemetryWorkload{.devices = 20, .total = 1000});
  // The README promises seqs are "never reused"; a consumer deduplicating by (gateway, seq)
  // would drop events whose seq the damaged queue had already used.
  int64_t first_seq = 0;
  for (const Arrival& a : collector.Arrivals()) {
    if (a.envelope && a.envelope->seq && (first_seq == 0 || *a.envelope->seq < first_seq)) {
      first_seq = *a.envelope->seq;
    }
  }
  CHECK_MESSAGE(first_seq > 5000, "after the quarantine seqs restart at "
                                     << first_seq << ": the damaged queue had used 1..5000");
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
}

}  // namespace
}  // namespace ef::testkit
