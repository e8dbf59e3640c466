// Exactly-once into NATS JetStream: a 3-node cluster on loopback, a stream with 3 replicas,
// edgeferry's `kind = "jetstream"` uplink, and faults in the middle of a steady load: none,
// SIGKILL of the node edgeferry is connected to, SIGKILL of the stream leader, SIGKILL of
// edgeferry itself 10 times, the whole cluster stopped for 20 s. Afterwards an independent
// consumer (tests/support/jetstream_reader.h) reads the whole stream and counts events by
// (gateway, seq): every seq the queue ever assigned (1..last_seq) exactly once, and, for a
// stream with catch_up = "in_order", in seq order also under the faults.
#include <doctest/doctest.h>

#include <sstream>

#include "tests/integration/plant_load.h"
#include "tests/integration/uplink_rig.h"
#include "tests/support/jetstream_reader.h"
#include "tests/support/nats_cluster.h"
#include "tests/support/queue_stats.h"

namespace ef::testkit {
namespace {

using std::chrono::seconds;

enum class Fault { kNone, kConnectedNode, kLeader, kEdgeferry, kWholeCluster };

constexpr char kStream[] = "EDGEFERRY";

struct Scenario {
  Fault fault = Fault::kNone;
  std::string batch = "none";  // or "json": batches with durable boundaries
  int total = 10'000;
  int rate_per_s = 1'000;
  bool edgeferry_creates_stream = false;
  // The stream is created only once the whole load is queued (edgeferry waits for it to
  // exist), so that the fault hits a drain with a full window of publishes in flight.
  bool backlog_first = false;
  int batch_max_events = 200;
  int max_publishes_per_s = 0;  // 0 = unlimited
  bool in_order = false;        // [streams.telemetry] catch_up = "in_order" (no live-first split)
};

std::string Tail(const std::string& text, size_t bytes) {
  return text.size() > bytes ? "..." + text.substr(text.size() - bytes) : text;
}

// The node to give edgeferry first: not the leader, so that killing one is not killing both.
size_t FirstNode(const NatsCluster& cluster, const std::string& leader) {
  for (size_t i = 0; i < cluster.size(); ++i) {
    if (cluster.name(i) != leader) return i;
  }
  return 0;
}

size_t IndexOf(const NatsCluster& cluster, const std::string& name) {
  for (size_t i = 0; i < cluster.size(); ++i) {
    if (cluster.name(i) == name) return i;
  }
  return 0;
}

std::string UplinkToml(const NatsCluster& cluster, size_t first, const Scenario& sc) {
  std::vector<std::string> servers = {cluster.client_url(first)};
  for (size_t i = 0; i < cluster.size(); ++i) {
    if (i != first) servers.push_back(cluster.client_url(i));
  }
  std::ostringstream t;
  t << "kind = \"jetstream\"\n"
    << "batch = \"" << sc.batch << "\"\n"
    << "batch_max_events = " << sc.batch_max_events << "\n"
    << "max_inflight = 64\n"
    << "max_publishes_per_s = " << sc.max_publishes_per_s << "\n\n"
    << "[uplink.jetstream]\n"
    << "servers = " << TomlStrings(servers) << "\n"
    << "stream = \"" << kStream << "\"\n"
    << "create_stream = " << (sc.edgeferry_creates_stream ? "true" : "false") << "\n"
    << "replicas = 3\n"
    << "duplicate_window_s = 300\n"
    << "ack_timeout_ms = 2000\n";
  return t.str();
}

// Waits until the stream holds at least `n` messages (asked on any running node).
bool WaitStreamHolds(const NatsCluster& cluster, uint64_t n, Deadline deadline) {
  return WaitUntil(
      deadline,
      [&] {
        for (size_t i = 0; i < cluster.size(); ++i) {
          if (!cluster.Running(i)) continue;
          std::optional<uint64_t> have = StreamMessages(cluster.client_url(i), kStream);
          if (have) return *have >= n;
        }
        return false;
      },
      std::chrono::milliseconds(100));
}

uint64_t StreamNow(const NatsCluster& cluster) {
  for (size_t i = 0; i < cluster.size(); ++i) {
    if (!cluster.Running(i)) continue;
    if (auto n = StreamMessages(cluster.client_url(i), kStream)) return *n;
  }
  return 0;
}

// `progress`: messages to wait for between kills (batches hold many events each).
void KillEdgeferryTenTimes(UplinkRig& rig, const NatsCluster& cluster, uint64_t progress) {
  const size_t connects = rig.LogLines("uplink: connected to cloud").size();
  for (int kill = 0; kill < 10; ++kill) {
    // Mid-run: this run connected and made some progress, with publishes in flight.
    CHECK(rig.WaitForLog("uplink: connected to cloud", DeadlineIn(seconds(60)),
                         connects + static_cast<size_t>(kill)));
    const uint64_t from = StreamNow(cluster);
    CHECK(WaitStreamHolds(cluster, from + progress, DeadlineIn(seconds(60))));
    rig.KillDaemon();
    REQUIRE_MESSAGE(rig.StartDaemon(DeadlineIn(seconds(30))), Tail(rig.DaemonLog(), 3000));
  }
}

void Inject(const Scenario& sc, UplinkRig& rig, NatsCluster& cluster, size_t first,
            const std::string& leader) {
  switch (sc.fault) {
    case Fault::kNone:
      return;
    case Fault::kConnectedNode:
      cluster.Kill(first);
      CHECK(rig.WaitForLog("connection to cloud lost", DeadlineIn(seconds(30))));
      return;
    case Fault::kLeader:
      cluster.Kill(IndexOf(cluster, leader));
      return;
    case Fault::kEdgeferry:
      KillEdgeferryTenTimes(rig, cluster, sc.batch == "none" ? 300 : 1);
      return;
    case Fault::kWholeCluster:
      for (size_t i = 0; i < cluster.size(); ++i) {
        (void)cluster.Stop(i, DeadlineIn(seconds(20)));  // nats-server's exit status varies
        CHECK_FALSE(cluster.Running(i));
      }
      HoldUntil(DeadlineIn(seconds(20)));  // the outage itself, not a wait for a condition
      for (size_t i = 0; i < cluster.size(); ++i) {
        REQUIRE(cluster.Restart(i, DeadlineIn(seconds(20))));
      }
      return;
  }
}

StreamSpec TestStream() { return {kStream, {"edgeferry.>"}, 3, 300}; }

// Queues the whole load while the stream does not exist yet, then creates it.
void QueueThenCreate(const Scenario& sc, UplinkRig& rig, NatsCluster& cluster) {
  REQUIRE(rig.WaitForLog("does not exist", DeadlineIn(seconds(60))));
  const PlantLoad load{.devices = 20, .total = sc.total, .rate_per_s = sc.rate_per_s};
  BackgroundPlantLoad publish(rig.edge().uri(), load, DeadlineIn(seconds(120)));
  REQUIRE_MESSAGE(publish.Join(), publish.error());
  REQUIRE(rig.WaitQueued(static_cast<uint64_t>(sc.total), DeadlineIn(seconds(60))));
  std::string why;
  REQUIRE_MESSAGE(CreateStream(cluster.client_url(0), TestStream(), DeadlineIn(seconds(60)), &why),
                  why);
  REQUIRE(rig.WaitForLog("uplink: connected to cloud", DeadlineIn(seconds(30))));
}

void Run(const Scenario& sc) {
  NatsCluster cluster;
  REQUIRE_MESSAGE(cluster.Start(DeadlineIn(seconds(20))), cluster.Log(0));
  std::string why;
  std::string leader;
  if (!sc.edgeferry_creates_stream && !sc.backlog_first) {
    REQUIRE_MESSAGE(CreateStream(cluster.client_url(0), TestStream(), DeadlineIn(seconds(60)),
                                 &why),
                    why);
    std::optional<std::string> found =
        StreamLeader(cluster.client_url(0), kStream, DeadlineIn(seconds(30)), &why);
    REQUIRE_MESSAGE(found.has_value(), why);
    leader = *found;
  }
  const size_t first = FirstNode(cluster, leader);

  UplinkRig rig;
  REQUIRE(rig.edge().Start(DeadlineIn(seconds(10))));
  rig.WriteConfig(UplinkToml(cluster, first, sc), {TelemetrySource()},
                  sc.in_order ? "[streams.telemetry]\ncatch_up = \"in_order\"\n" : "");
  INFO("daemon log (tail):\n" << Tail(rig.DaemonLog(), 4000));
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30)), "debug"));
  if (sc.backlog_first) {
    QueueThenCreate(sc, rig, cluster);
    if (sc.fault == Fault::kLeader) {  // known only now (it may be the node edgeferry uses)
      std::optional<std::string> found =
          StreamLeader(cluster.client_url(0), kStream, DeadlineIn(seconds(30)), &why);
      REQUIRE_MESSAGE(found.has_value(), why);
      leader = *found;
    }
    Inject(sc, rig, cluster, first, leader);
  } else {
    REQUIRE(rig.WaitForLog("uplink: connected to cloud", DeadlineIn(seconds(90))));
    const PlantLoad load{.devices = 20, .total = sc.total, .rate_per_s = sc.rate_per_s};
    BackgroundPlantLoad publish(rig.edge().uri(), load, DeadlineIn(seconds(120)));
    // Mid-run: a third of the load is in the stream.
    REQUIRE(WaitStreamHolds(cluster, static_cast<uint64_t>(sc.total) / 3 /
                                         (sc.batch == "none" ? 1 : 200),
                            DeadlineIn(seconds(60))));
    Inject(sc, rig, cluster, first, leader);
    REQUIRE_MESSAGE(publish.Join(), publish.error());
  }

  // Done when the queue is empty: every event the queue took was acknowledged. An in_order
  // stream drains one publish at a time after a fault (~860 events/s on a quiet machine, a
  // tenth of it on a loaded one): the deadline is for a stuck drain, not a slow one.
  CHECK(rig.WaitQueued(0, DeadlineIn(seconds(200))));  // within ctest's 300 s per test
  std::string stats_error;
  std::optional<QueueStats> queue = ReadQueueStats(
      EdgeferryPath(), rig.dir().File("data"), rig.dir().File("qs.out"), DeadlineIn(seconds(20)),
      &stats_error);
  REQUIRE_MESSAGE(queue.has_value(), stats_error);
  size_t reader_node = 0;
  while (!cluster.Running(reader_node)) ++reader_node;
  const StreamCount count = ReadStream(cluster.client_url(reader_node), kStream, queue->last_seq,
                                       DeadlineIn(seconds(60)));
  MESSAGE("queue last_seq " << queue->last_seq << ", dead letters " << queue->dead_letters
                            << ", rejected " << queue->Rejected() << "; stream: "
                            << count.Summary());
  for (const std::string& line : rig.LogLines("uplink:")) {
    if (!line.starts_with("<7>")) MESSAGE("daemon: " << line);
  }
  MESSAGE("uplink runs that saw a resend acknowledged as duplicate: "
          << rig.LogLines("as duplicate").size() << "; restarts with recorded batches: "
          << rig.LogLines("recorded before").size());
  CHECK(count.error.empty());
  CHECK(queue->last_seq > 0);
  CHECK(queue->dead_letters == 0);
  CHECK(count.missing == 0);
  CHECK(count.duplicates == 0);
  CHECK(count.unparsed == 0);
  CHECK(count.unique == queue->last_seq);
  // In order without failures, and for an in_order stream (one message in flight) under
  // every fault. A live_first stream's window may store a later publish before the resend of
  // an earlier one: measured and reported, not promised.
  MESSAGE("events out of order: " << count.out_of_order);
  if (sc.fault == Fault::kNone || sc.in_order) CHECK(count.out_of_order == 0);
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
}

TEST_CASE("jetstream: steady load (edgeferry creates the stream): every event once, in order") {
  Run({.fault = Fault::kNone, .edgeferry_creates_stream = true});
}

TEST_CASE("jetstream: batches under steady load: every event once, in order") {
  Run({.fault = Fault::kNone, .batch = "json"});
}

TEST_CASE("jetstream: SIGKILL of the node edgeferry is connected to: every event once") {
  Run({.fault = Fault::kConnectedNode});
}

TEST_CASE("jetstream: in_order, SIGKILL of the connected node: every event once, in order") {
  Run({.fault = Fault::kConnectedNode, .in_order = true});
}

TEST_CASE("jetstream: in_order, SIGKILL of the leader in a drain: every event once, in order") {
  // A queued backlog: without the in_order window, 64 publishes are in flight at the kill.
  Run({.fault = Fault::kLeader, .rate_per_s = 0, .backlog_first = true, .in_order = true});
}

TEST_CASE("jetstream: SIGKILL of the stream leader: every event once, in order") {
  Run({.fault = Fault::kLeader, .in_order = true});
}

TEST_CASE("jetstream: SIGKILL of edgeferry 10 times: every event once") {
  Run({.fault = Fault::kEdgeferry, .total = 20'000, .rate_per_s = 2'000});
}

TEST_CASE("jetstream: batches with SIGKILL of edgeferry 10 times: every event once") {
  // A queued backlog, so that every kill hits batches in flight (recorded, unacknowledged).
  Run({.fault = Fault::kEdgeferry,
       .batch = "json",
       .total = 40'000,
       .rate_per_s = 0,
       .backlog_first = true,
       .batch_max_events = 50,
       .max_publishes_per_s = 200});  // 10,000 events/s: a drain of a few seconds
}

TEST_CASE("jetstream: the whole cluster stopped for 20 s: every event once") {
  Run({.fault = Fault::kWholeCluster, .total = 40'000, .rate_per_s = 1'000});
}

TEST_CASE("jetstream: in_order, the whole cluster stopped for 20 s: every event once, in order") {
  // Shorter than the live_first case: the backlog after the outage drains one message at a
  // time.
  Run({.fault = Fault::kWholeCluster, .total = 20'000, .rate_per_s = 1'000, .in_order = true});
}

}  // namespace
}  // namespace ef::testkit
