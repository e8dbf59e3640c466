// Bounds of the local queue under real load: what edgeferry does when the queue file, a
// stream's byte bound or the disk itself is full, and that every event it did not keep is
// counted (events + dropped + rejected == received) and reported in the log.
//   (a) max_file_bytes (SQLite max_page_count) reached, no uplink, drop_oldest;
//   (b) overflow = "backpressure" with a small stream bound while the cloud is down: ingest
//       pauses (the edge broker keeps the messages for edgeferry's persistent session), and
//       when the cloud comes back every message arrives;
//   (c) a real 1 MiB filesystem (tmpfs), no uplink, drop_oldest; skipped with a message where
//       this sandbox refuses mount(2).
// `edgeferry queue stats --json` is read while the daemon runs in all three.
#include <doctest/doctest.h>
#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>

#include "tests/integration/gateway_rig.h"
#include "tests/integration/telemetry_workload.h"
#include "tests/support/cloud_collector.h"

namespace ef::testkit {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kDevices = 20;
constexpr char kDropWarning[] = "dropped (bound reached, drop_oldest)";

// {"device":"dev-07","n":123,"pad":"xxxx..."} of `size` bytes: the counter stays readable.
std::string PaddedPayload(const std::string& device, int64_t n, size_t size) {
  std::string head = R"({"device":")" + device + R"(","n":)" + std::to_string(n) + R"(,"pad":")";
  const size_t pad = size > head.size() + 2 ? size - head.size() - 2 : 0;
  // Letters that do not compress away (the queue stores events compressed), the same for the
  // same device and n.
  uint32_t noise = static_cast<uint32_t>(std::hash<std::string>()(device) ^ uint64_t(n));
  std::string padding(pad, 'x');
  for (char& c : padding) {
    noise = noise * 1103515245 + 12345;
    c = static_cast<char>('a' + (noise >> 16) % 26);
  }
  return head + padding + "\"}";
}

// Publishes `total` messages of `size` bytes round-robin over kDevices devices, QoS 1, and waits
// for every PUBACK from the edge broker.
void PublishPadded(GatewayRig& rig, int total, size_t size) {
  TestPublisher publisher(rig.EdgePublisherOptions());
  REQUIRE_MESSAGE(publisher.Connect(DeadlineIn(seconds(15))), publisher.error());
  const Deadline deadline = DeadlineIn(seconds(60));
  for (int i = 0; i < total; ++i) {
    const std::string device = TelemetryWorkload::DeviceId(i % kDevices);
    if (!publisher.Publish(TelemetryWorkload::Topic(device),
                           PaddedPayload(device, i / kDevices, size), deadline)) {
      FAIL("publish " << i << ": " << publisher.error());
    }
  }
  REQUIRE_MESSAGE(publisher.WaitAllAcked(deadline), publisher.error());
}

std::string DescribeMissing(const std::vector<std::string>& missing) {
  return missing.empty() ? "none missing"
                         : std::to_string(missing.size()) + " missing, first " + missing.front();
}

std::string Describe(const QueueStats& s) {
  return "events=" + std::to_string(s.events) + " bytes=" + std::to_string(s.bytes) +
         " last_seq=" + std::to_string(s.last_seq) + " dropped=" + std::to_string(s.Dropped()) +
         " rejected=" + std::to_string(s.Rejected());
}

uint64_t FileSize(const fs::path& file) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  return ec ? 0 : size;
}

// Without an uplink, `total` messages into a queue that cannot hold them (drop_oldest): the
// daemon stays up, the stats answer while it runs, every message is either kept or counted as
// dropped or rejected, and the drops are reported in the log.
void CheckDropOldestAccounting(GatewayRig& rig, int total, size_t size) {
  PublishPadded(rig, total, size);
  const fs::path db = rig.data_dir() / "queue.db";
  std::optional<QueueStats> live;
  std::string error;
  uint64_t wal_peak = 0;
  const bool all_counted = WaitUntil(
      DeadlineIn(seconds(30)),
      [&] {
        wal_peak = std::max(wal_peak, FileSize(db.string() + "-wal"));
        live = rig.ReadStats(DeadlineIn(seconds(10)), &error);  // while the daemon runs
        return live && live->events + live->Dropped() + live->Rejected() >= uint64_t(total);
      },
      milliseconds(200));
  REQUIRE_MESSAGE(live, error);
  CHECK_MESSAGE(all_counted, "ingest stalled: " << Describe(*live) << "; queue.db " << FileSize(db)
                                                << " B, -wal " << wal_peak << " B");
  if (all_counted) {
    CHECK(live->Stream("telemetry").dropped > 0);
    // The warning comes at most every 5 s, and only for counters that grew since the last one.
    CHECK(WaitUntil(
        DeadlineIn(seconds(15)),
        [&] { return rig.FullDaemonLog().find(kDropWarning) != std::string::npos; },
        milliseconds(100)));
  }
  CHECK(rig.DaemonRunning());

  REQUIRE_MESSAGE(rig.StopDaemon(DeadlineIn(seconds(10))) == 0, "SIGTERM did not stop it in 10 s");
  std::optional<DaemonTotals> totals = rig.ExitTotals();
  REQUIRE(totals);
  std::optional<QueueStats> final_stats = rig.ReadStats(DeadlineIn(seconds(10)), &error);
  REQUIRE_MESSAGE(final_stats, error);
  CHECK(totals->received == uint64_t(total));
  CHECK(final_stats->events + final_stats->Dropped() + final_stats->Rejected() == totals->received);
  CHECK(totals->dropped == final_stats->Dropped());
  CHECK(totals->rejected == final_stats->Rejected());
  CHECK(totals->queued == final_stats->events);
  MESSAGE("published " << total << " x " << size << " B; after stop: " << Describe(*final_stats)
                       << "; queue.db " << FileSize(db) << " B, -wal peak while running "
                       << wal_peak << " B");
}

TEST_CASE(
    "bounds: max_file_bytes reached with drop_oldest: the daemon stays up and counts every drop") {
  GatewayOptions options;
  options.uplink = false;
  options.queue_toml = "max_file_bytes = 524288\n";
  GatewayRig rig(options);
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));
  CheckDropOldestAccounting(rig, 20'000, 200);
  CHECK(FileSize(rig.data_dir() / "queue.db") <= 524288);
}

TEST_CASE("bounds: backpressure with the cloud down: ingest pauses, then every message arrives") {
  constexpr int kTotal = 5000;
  constexpr uint64_t kStreamBytes = 64 * 1024;
  constexpr uint64_t kGroupBytes = 100 * 277;
  GatewayOptions options;
  options.queue_toml = "memory_events = 100\ncommit_max_events = 100\n";
  options.streams_toml = "[streams.telemetry]\nmax_bytes = " + std::to_string(kStreamBytes) +
                         "\noverflow = \"backpressure\"\n";
  GatewayRig rig(options);
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  // The collector's persistent session on the cloud broker queues for it from now on, also
  // across the broker's stop and start (persistence).
  CloudCollector collector(rig.CloudCollectorOptions());
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());
  REQUIRE(rig.cloud().Stop(DeadlineIn(seconds(10))));
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));

  PublishPadded(rig, kTotal, 200);  // the edge broker acknowledged all of it
  std::optional<QueueStats> live;
  std::string error;
  // A group is refused as a whole, so the stream stops short of its bound by less than one
  // group (100 events of 200 + 77 accounted bytes).
  const bool at_bound = WaitUntil(
      DeadlineIn(seconds(30)),
      [&] {
        live = rig.ReadStats(DeadlineIn(seconds(10)), &error);
        return live && live->Stream("telemetry").bytes + kGroupBytes > kStreamBytes;
      },
      milliseconds(100));
  REQUIRE_MESSAGE(live, error);
  CHECK_MESSAGE(at_bound, Describe(*live));
  // Ingest paused at the bound: nothing dropped or refused, the rest waits upstream.
  CHECK(live->Stream("telemetry").bytes <= kStreamBytes);
  CHECK(live->events < uint64_t(kTotal) / 2);
  CHECK(live->Dropped() == 0);
  CHECK(live->Rejected() == 0);
  // The first refused group is logged when the pipeline next tries to commit, which can be a
  // moment after the stream reached its bound.
  CHECK(WaitUntil(
      DeadlineIn(seconds(10)),
      [&] { return rig.FullDaemonLog().find("backpressure") != std::string::npos; },
      milliseconds(50)));
  CHECK(rig.DaemonRunning());
  MESSAGE("with the cloud down, after all " << kTotal << " were published: " << Describe(*live));

  REQUIRE_MESSAGE(rig.cloud().Start(DeadlineIn(seconds(10))), rig.cloud().Log());
  // The uplink retries at most every 5 s.
  const bool connected = WaitUntil(
      DeadlineIn(seconds(15)),
      [&] { return rig.FullDaemonLog().find("uplink: connected to cloud") != std::string::npos; },
      milliseconds(100));
  CHECK_MESSAGE(connected, "the uplink did not connect within 15 s of the cloud's return");
  CHECK((connected && collector.WaitForCount(kTotal, DeadlineIn(seconds(30)))));
  std::vector<std::string> missing = collector.MissingCounters(
      TelemetryWorkload{.devices = kDevices, .total = kTotal}.DeviceIds(), kTotal / kDevices);
  CHECK_MESSAGE(missing.empty(), DescribeMissing(missing));
  REQUIRE_MESSAGE(rig.StopDaemon(DeadlineIn(seconds(10))) == 0, "SIGTERM did not stop it in 10 s");
  std::optional<DaemonTotals> totals = rig.ExitTotals();
  REQUIRE(totals);
  // Pausing disconnects from the edge broker: QoS 1 messages in flight at that moment are
  // delivered again after the resume (at-least-once), so received may exceed what was
  // published; missing must not.
  CHECK(totals->received >= uint64_t(kTotal));
  MESSAGE("re-delivered by the edge broker after the pause: " << totals->received - kTotal);
  CHECK(totals->dropped == 0);
  CHECK(totals->rejected == 0);
  CHECK(totals->queued == 0);
}

// A tmpfs of `size` on a private mount point; unmounted (lazily, so that a daemon still holding
// files there cannot block it) before the mount point is removed.
class TmpfsMount {
 public:
  explicit TmpfsMount(const std::string& size) : dir_("ef-tmpfs") {
    const std::string options = "size=" + size + ",mode=0755";
    if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~TmpfsMount() {
    if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  fs::path path() const { return dir_.path(); }

 private:
  TempDir dir_;
  bool mounted_ = false;
  std::string error_;
};

TEST_CASE(
    "bounds: a full 1 MiB filesystem with drop_oldest: the daemon stays up and counts every drop") {
  TmpfsMount disk("1m");
  if (!disk.mounted()) {
    MESSAGE("SKIPPED: cannot mount a tmpfs here (" << disk.error() << ")");
    return;
  }
  GatewayOptions options;
  options.uplink = false;
  options.data_dir = disk.path() / "data";
  GatewayRig rig(options);
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));
  CheckDropOldestAccounting(rig, 20'000, 200);
}

}  // namespace
}  // namespace ef::testkit
