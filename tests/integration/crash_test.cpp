// Crash safety: edgeferry is killed with SIGKILL 20 times at random moments while a steady
// telemetry stream keeps coming, and restarted each time with the same config and data
// directory (one SIGTERM among the stops, for comparison).
//
// What must hold (asserted):
//   - every event that was ever committed reaches the cloud: sequence numbers are assigned
//     contiguously, so after the final drain the cloud holds EVERY seq 1..last_seq;
//   - a kill never loses a commit or damages the file: last_seq read from the file after each
//     kill never goes down, is never below a seq the cloud has already seen, and the daemon
//     never reports a damaged queue;
//   - a SIGTERM loses nothing (also covered by daemon_restart_test.cpp);
//   - what a kill does lose is only what Paho had acknowledged to the edge broker but edgeferry
//     had not yet committed, bounded by the ingest rate x (commit interval + 50 ms).
// What is measured and reported: the events lost per kill at that ingest boundary.
//
// Attributing a lost message to a kill: commits follow receive order, so what a run loses is
// the tail of what it received. For a lost message of a device, the next message of that device
// that was committed was received by a later run; the lost one belongs to the stop just before
// that run. EF_CRASH_SEED=N replays another sequence of kill delays.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <sstream>

#include "tests/integration/gateway_rig.h"
#include "tests/integration/steady_publish.h"
#include "tests/integration/telemetry_workload.h"
#include "tests/support/cloud_collector.h"

namespace ef::testkit {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kStops = 21;   // 20 x SIGKILL and one SIGTERM
constexpr int kTermAt = 10;  // the 11th stop is the SIGTERM
constexpr int kRate = 4000;  // offered messages/s
constexpr int kDevices = 20;
constexpr int kCommitIntervalMs = 10;
constexpr int kMarginMs = 50;

struct StopRecord {
  bool kill = true;
  int delay_ms = 0;        // from READY to the stop
  size_t published = 0;    // messages published when the stop came
  uint64_t last_seq = 0;   // in the file after the stop
  uint64_t committed = 0;  // committed by this run
  double rate = 0;         // committed / time from READY to stop (includes the backlog)
  uint64_t bound = 0;      // the loss this stop may cause at most
  uint64_t lost = 0;       // attributed after the drain
};

uint32_t Seed() {
  const char* text = std::getenv("EF_CRASH_SEED");
  return text && *text ? static_cast<uint32_t>(std::strtoul(text, nullptr, 10)) : 20240917u;
}

double Seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

// The first run (0-based index into `stops`, or stops.size() for the final run) whose commits
// include `seq`.
size_t RunOf(const std::vector<StopRecord>& stops, int64_t seq) {
  for (size_t r = 0; r < stops.size(); ++r) {
    if (static_cast<uint64_t>(seq) <= stops[r].last_seq) return r;
  }
  return stops.size();
}

// Attributes each published but never delivered message to a stop; returns how many could
// not be attributed (lost with no later committed message of their device).
size_t AttributeLosses(const CloudCollector& collector, size_t per_device,
                       std::vector<StopRecord>& stops) {
  std::map<std::string, std::vector<int64_t>> seq_by_counter;  // 0 = never arrived
  for (int d = 0; d < kDevices; ++d) {
    seq_by_counter[TelemetryWorkload::DeviceId(d)].assign(per_device, 0);
  }
  for (const Arrival& a : collector.Arrivals()) {
    if (!a.envelope || !a.envelope->seq || !a.counter) continue;
    auto it = seq_by_counter.find(a.envelope->device);
    if (it == seq_by_counter.end() || *a.counter < 0 ||
        static_cast<size_t>(*a.counter) >= per_device) {
      continue;
    }
    int64_t& seq = it->second[static_cast<size_t>(*a.counter)];
    if (seq == 0) seq = *a.envelope->seq;
  }
  size_t unattributed = 0;
  for (const auto& [device, seqs] : seq_by_counter) {
    int64_t next_seq = 0;  // seq of the next committed message of this device
    for (size_t n = per_device; n-- > 0;) {
      if (seqs[n] != 0) {
        next_seq = seqs[n];
        continue;
      }
      const size_t run = next_seq == 0 ? 0 : RunOf(stops, next_seq);
      if (next_seq == 0 || run == 0) {
        ++unattributed;
      } else {
        ++stops[run - 1].lost;
      }
    }
  }
  return unattributed;
}

std::string Report(const std::vector<StopRecord>& stops, size_t published, size_t unattributed) {
  std::ostringstream out;
  out << "stop kind  delay_ms  published  last_seq  committed  rate/s  bound  lost\n";
  uint64_t total = 0, worst = 0, kills = 0;
  double rate_sum = 0;
  for (size_t k = 0; k < stops.size(); ++k) {
    const StopRecord& s = stops[k];
    char line[160];
    std::snprintf(
        line, sizeof line, "%4zu %-5s %8d %10zu %9llu %10llu %7.0f %6llu %5llu\n", k + 1,
        s.kill ? "KILL" : "TERM", s.delay_ms, s.published,
        static_cast<unsigned long long>(s.last_seq), static_cast<unsigned long long>(s.committed),
        s.rate, static_cast<unsigned long long>(s.bound), static_cast<unsigned long long>(s.lost));
    out << line;
    if (!s.kill) continue;
    total += s.lost;
    worst = std::max(worst, s.lost);
    rate_sum += s.rate;
    ++kills;
  }
  const double mean_rate = kills ? rate_sum / static_cast<double>(kills) : 0;
  out << "published " << published << ", lost at the ingest boundary " << total << " in " << kills
      << " kills (" << unattributed << " unattributed): mean "
      << (kills ? static_cast<double>(total) / static_cast<double>(kills) : 0) << ", max " << worst
      << " per kill; offered rate x commit interval = " << kRate << "/s x " << kCommitIntervalMs
      << " ms = " << kRate * kCommitIntervalMs / 1000
      << ", mean observed commit rate x interval = " << mean_rate * kCommitIntervalMs / 1000;
  return out.str();
}

// Stops the daemon (SIGKILL, or SIGTERM for the one TERM stop) `stop.delay_ms` after `ready`,
// reads last_seq from the file and checks that no commit was lost; completes `stop`.
void StopOnce(GatewayRig& rig, const CloudCollector& collector, const SteadyPublish& publish,
              SteadyClock::time_point ready, uint64_t before, StopRecord& stop) {
  HoldUntil(ready + milliseconds(stop.delay_ms));  // the random moment: a deliberate pause
  if (stop.kill) {
    rig.KillDaemon();
  } else {
    CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
  }
  const double ran_s = Seconds(SteadyNow() - ready);
  stop.published = publish.published();
  std::string error;
  std::optional<QueueStats> stats = rig.ReadStats(DeadlineIn(seconds(10)), &error);
  REQUIRE_MESSAGE(stats, error);
  CHECK_MESSAGE(stats->last_seq >= before, "last_seq went down");
  // Whatever the cloud saw was committed before it was sent: the file must still have it.
  CHECK_MESSAGE(collector.MaxSeq().value_or(0) <= static_cast<int64_t>(stats->last_seq),
                "the cloud has a seq the file lost");
  stop.last_seq = stats->last_seq;
  stop.committed = stats->last_seq - std::min(before, stats->last_seq);
  stop.rate = std::max(static_cast<double>(stop.committed) / ran_s, double{kRate});
  stop.bound = static_cast<uint64_t>(stop.rate * (kCommitIntervalMs + kMarginMs) / 1000);
}

// Once publishing stopped: waits until the daemon has received everything and the cloud
// has every seq it committed, stops it, and checks that every seq 1..last_seq reached the
// cloud. Returns last_seq.
uint64_t DrainAndCheckSeqs(GatewayRig& rig, CloudCollector& collector, size_t per_device) {
  // The newest message of every device at the cloud: the daemon has received (and, as
  // commits follow receive order, committed) everything.
  const bool tail_arrived = WaitUntil(
      DeadlineIn(seconds(60)),
      [&] {
        for (int d = 0; d < kDevices; ++d) {
          const auto n = static_cast<int64_t>(per_device) - 1;
          if (!collector.HasCounter(TelemetryWorkload::DeviceId(d), n)) return false;
        }
        return true;
      },
      milliseconds(50));
  CHECK(tail_arrived);
  // That is not yet a drained queue: after a restart new events go first and the backlog
  // left by the last kill after them, so the tail can arrive while hundreds of older seqs
  // still wait. Seqs are contiguous, so the queue is drained once the cloud holds as many
  // distinct seqs as the highest one it saw (the last commit: a device's newest message).
  const bool all_arrived = WaitUntil(
      DeadlineIn(seconds(120)),
      [&] {
        const std::optional<int64_t> max_seq = collector.MaxSeq();
        return max_seq && collector.DistinctSeqs() >= static_cast<size_t>(*max_seq);
      },
      milliseconds(50));
  CHECK_MESSAGE(all_arrived, "the cloud never got every seq up to "
                                 << collector.MaxSeq().value_or(0) << " while the daemon ran");
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
  std::string error;
  std::optional<QueueStats> final_stats = rig.ReadStats(DeadlineIn(seconds(10)), &error);
  REQUIRE_MESSAGE(final_stats, error);
  CHECK(final_stats->events == 0);
  const uint64_t last_seq = final_stats->last_seq;
  CHECK(collector.WaitForSeqs(last_seq, DeadlineIn(seconds(30))));
  const std::vector<int64_t> missing = collector.MissingSeqs(1, static_cast<int64_t>(last_seq));
  CHECK_MESSAGE(missing.empty(), missing.size() << "+ committed seqs never reached the cloud, "
                                                << "first " << (missing.empty() ? 0 : missing[0]));
  CHECK(rig.FullDaemonLog().find("THE QUEUE DATABASE WAS DAMAGED") == std::string::npos);
  return last_seq;
}

void CheckLosses(const std::vector<StopRecord>& stops, size_t published, size_t unique,
                 size_t unattributed) {
  CHECK(unattributed == 0);
  uint64_t attributed = 0;
  for (const StopRecord& s : stops) attributed += s.lost;
  CHECK(published - unique == attributed);
  for (size_t k = 0; k < stops.size(); ++k) {
    if (!stops[k].kill) {
      CHECK_MESSAGE(stops[k].lost == 0, "the SIGTERM (stop " << k + 1 << ") lost messages");
    } else {
      CHECK_MESSAGE(stops[k].lost <= stops[k].bound,
                    "kill " << k + 1 << " lost " << stops[k].lost << " > bound " << stops[k].bound);
    }
  }
}

TEST_CASE("crash: 20 kill -9 at random moments lose no committed event") {
  GatewayOptions options;
  // Every event written before it is sent (persist_after_ms = 0), so every commit counts;
  // write-behind's own crash test is write_behind_test.cpp.
  options.queue_toml = "commit_interval_ms = " + std::to_string(kCommitIntervalMs) +
                       "\ncommit_max_events = 1000\npersist_after_ms = 0\n";
  GatewayRig rig(options);
  CloudCollector collector(rig.CloudCollectorOptions());
  std::vector<StopRecord> stops;
  size_t published = 0;
  uint64_t last_seq = 0;
  {
    INFO("daemon log:\n" << rig.DaemonLog());  // for failures up to the drain, not the report
    REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
    REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());
    REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));
    SteadyPublish publish(rig.edge().uri(), SteadyLoad{.devices = kDevices, .rate = kRate});
    // The stream flows end to end before the first kill.
    REQUIRE_MESSAGE(collector.WaitForCount(500, DeadlineIn(seconds(30))), publish.error());

    std::mt19937 rng(Seed());
    std::uniform_int_distribution<int> delay_ms(100, 600);
    auto ready = SteadyNow();
    for (int k = 0; k < kStops; ++k) {
      CAPTURE(k + 1);
      StopRecord stop{.kill = k != kTermAt, .delay_ms = delay_ms(rng)};
      StopOnce(rig, collector, publish, ready, stops.empty() ? 0 : stops.back().last_seq, stop);
      stops.push_back(stop);
      REQUIRE_MESSAGE(rig.StartDaemon(DeadlineIn(seconds(30))), "restart after stop " << k + 1);
      ready = SteadyNow();
    }
    REQUIRE_MESSAGE(publish.Stop(DeadlineIn(seconds(60))), publish.error());
    published = publish.published();
    last_seq = DrainAndCheckSeqs(rig, collector, published / kDevices);
  }

  const CollectorStats cs = collector.Stats();
  CHECK(cs.seq_reused == 0);
  CHECK(cs.unparsed == 0);
  const size_t unattributed = AttributeLosses(collector, published / kDevices, stops);
  const std::string report = Report(stops, published, unattributed);
  MESSAGE("seed " << Seed() << ", last_seq " << last_seq << ", cloud: unique " << cs.unique
                  << ", received " << cs.received << ", duplicate seq " << cs.duplicate_seq
                  << ", re-ingested " << cs.reingested << ", out of order " << cs.out_of_order
                  << "\n"
                  << report);
  std::printf("crash_test report (seed %u):\n%s\n", Seed(), report.c_str());
  CheckLosses(stops, published, cs.unique, unattributed);
}

}  // namespace
}  // namespace ef::testkit
