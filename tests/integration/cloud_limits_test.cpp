// Cloud limits, the way AWS IoT Core sets them per connection: at most 100 publishes/s,
// 512 KiB/s and 128 KiB per message. A backlog builds while the cloud is unreachable, then
// the cloud comes back and edgeferry drains it as fast as the limits allow.
//
// The limits are configured explicitly on the generic profile (plain loopback): the
// aws-iot-core profile has the same numbers but insists on ssl:// URIs.
//
// "The cloud is unreachable" is a TcpGate in front of the cloud broker: while it is closed
// edgeferry gets "connection refused", as with a broker that is down, but the test's
// subscriber stays connected to the broker itself (set_tcp_nodelay, so the broker does not
// hold messages back for it) and sees every message as the broker forwards it.
//
// Two timelines are measured, each over every window that starts at a message:
// - What edgeferry wrote: the daemon runs with Paho's protocol trace on
//   (MQTT_C_CLIENT_TRACE=ON, level PROTOCOL), which logs each PUBLISH with its time (ms) and
//   payload length as Paho writes it.
// - What the cloud received (arrival times at the subscriber).
// Asserted on both: no message over 128 KiB, and over the whole drain no more than the limits
// allow for its duration plus one second (the bucket's burst, and the first write's delay).
// Scheduling only stretches a drain, so this holds on any machine, and it fails at once if
// the limits do not reach the uplink (the backlog would go in a few seconds).
// Printed, not asserted: the most publishes and bytes in any 1 s window. The token bucket
// keeps them within the limits on its own clock (asserted exactly, on a manual clock, in
// tests/uplink/rate_limiter_test.cpp, including a message larger than the burst), but a
// write happens some time after its tokens were taken: the forwarder thread and Paho's send
// thread may be scheduled late, and a late write followed by prompt ones packs more than a
// second's worth into a window (seen on a loaded 2-core box: 105 written, 131 received in a
// 1 s window, while the drain averaged 59 publishes/s). On the cloud side Nagle's algorithm
// and a delayed ACK add up to 200 ms more. Those maxima are timing figures: bench/cloud_limits.sh
// prints them in its JSON line.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <sstream>

#include "tests/integration/ferry_rig.h"
#include "tests/integration/plant_load.h"
#include "tests/integration/uplink_rig.h"
#include "tests/support/cloud_collector.h"
#include "tests/support/queue_stats.h"
#include "tests/support/tcp_gate.h"

namespace ef::testkit {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr size_t kMaxPublishesPerS = 100;
constexpr uint64_t kMaxBytesPerS = 512 * 1024;
constexpr size_t kMaxMessageBytes = 128 * 1024;
constexpr const char* kClientId = "edgeferry-limits-test";

struct Sent {
  int64_t at_us;  // microseconds on the timeline's own clock
  size_t bytes;
};

struct WindowMax {
  size_t publishes = 0;
  uint64_t bytes = 0;
};

// The most messages and bytes in any window [t, t + window) that starts at a message.
WindowMax MaxInWindows(std::vector<Sent> sent, std::chrono::microseconds window) {
  std::sort(sent.begin(), sent.end(),
            [](const Sent& a, const Sent& b) { return a.at_us < b.at_us; });
  WindowMax max;
  uint64_t bytes = 0;
  size_t end = 0;
  for (size_t begin = 0; begin < sent.size(); ++begin) {
    while (end < sent.size() && sent[end].at_us < sent[begin].at_us + window.count()) {
      bytes += sent[end++].bytes;
    }
    max.publishes = std::max(max.publishes, end - begin);
    max.bytes = std::max(max.bytes, bytes);
    bytes -= sent[begin].bytes;
  }
  return max;
}

std::optional<int64_t> Digits(const std::string& text, size_t at, size_t n) {
  if (at + n > text.size()) return std::nullopt;
  int64_t value = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// edgeferry's publishes from Paho's protocol trace in the daemon log, lines like
// "20261128 071649.223 7 edgeferry-limits-test -> PUBLISH msgid: 2 ... payload len(740): ...".
std::vector<Sent> SendTimeline(const std::string& log) {
  const std::string marker = std::string(" ") + kClientId + " -> PUBLISH ";
  std::vector<Sent> sent;
  std::istringstream in(log);
  int64_t day_offset_ms = 0, previous_ms = 0;
  for (std::string line; std::getline(in, line);) {
    const size_t len_at = line.find("payload len(");
    if (line.find(marker) == std::string::npos || len_at == std::string::npos) continue;
    const auto hh = Digits(line, 9, 2), mm = Digits(line, 11, 2), ss = Digits(line, 13, 2),
               ms = Digits(line, 16, 3);
    if (!hh || !mm || !ss || !ms || line[15] != '.') continue;
    int64_t at_ms = ((*hh * 60 + *mm) * 60 + *ss) * 1000 + *ms + day_offset_ms;
    if (at_ms < previous_ms) {  // past midnight
      day_offset_ms += 24 * 3600 * 1000;
      at_ms += 24 * 3600 * 1000;
    }
    previous_ms = at_ms;
    sent.push_back({at_ms * 1000, std::strtoul(line.c_str() + len_at + 12, nullptr, 10)});
  }
  return sent;
}

struct Spec {
  int events = 20'000;  // telemetry backlog
  size_t pad = 0;       // payload padding: sets the event size
  int batch_max_events = 500;
  int alerts = 0;  // alerts published while the backlog drains
  int live = 0;    // new telemetry published while the backlog drains
  // Runs `queue stats` (text and --json) while the backlog drains until both show a drain
  // rate and an estimated time to drain. The daemon measures every 10 s, so the drain must
  // last well over 10 s for a measurement to fall inside it.
  bool watch_queue_stats = false;
};

struct Outcome {
  std::vector<Arrival> arrivals;
  std::vector<StatusMessage> status;
  SteadyClock::time_point opened{};
  SteadyClock::time_point drained{};
  SteadyClock::time_point alerts_sent{};
  int64_t catch_up_boundary = 0;  // from the log: telemetry up to this seq is the backlog
  std::string queue_stats;  // the text `queue stats` printed while draining (watch_queue_stats)
  std::string daemon_log;
  bool complete = false;
  CollectorStats stats;
};

std::string UplinkFor(const TcpGate& gate, const Spec& spec) {
  std::ostringstream body;
  body << "uri = \"" << gate.uri() << "\"\n"
       << "client_id = \"" << kClientId << "\"\n"
       << "profile = \"generic\"\n"
       << "batch = \"json\"\n"
       << "batch_max_events = " << spec.batch_max_events << "\n"
       << "max_message_bytes = " << kMaxMessageBytes << "\n"
       << "max_publishes_per_s = " << kMaxPublishesPerS << "\n"
       << "max_bytes_per_s = " << kMaxBytesPerS << "\n"
       << "min_connect_interval_ms = 1000\n";
  return body.str();
}

// The seq up to which the log said a stream's backlog waits behind new events; 0 if none.
int64_t CatchUpBoundary(const std::string& log) {
  const std::string marker = "the backlog up to seq ";
  const size_t at = log.find(marker);
  return at == std::string::npos ? 0 : std::stoll(log.substr(at + marker.size()));
}

// Polls `edgeferry queue stats` while the backlog drains, until the text and the JSON both
// show the backlog draining with a rate and an estimated time; returns the text, or an empty
// string if the drain ended (or the deadline passed) first.
std::string WatchDrainInQueueStats(UplinkRig& rig, Deadline deadline) {
  std::string text, error;
  const std::filesystem::path data = rig.dir().File("data"), out = rig.dir().File("qs.out");
  const bool seen = WaitUntil(
      deadline,
      [&] {
        std::optional<QueueStats> json =
            ReadQueueStats(EdgeferryPath(), data, out, DeadlineIn(seconds(10)), &error);
        std::optional<std::string> human =
            RunQueueStats(EdgeferryPath(), data, out, false, DeadlineIn(seconds(10)), &error);
        if (!json || !human) return false;
        text = *human;
        const QueueStreamStats telemetry = json->Stream("telemetry");
        return json->events > 0 && json->drain.state == "draining" && json->drain.per_s > 0 &&
               json->drain.eta_s.has_value() && telemetry.drain.eta_s.has_value() &&
               text.find(", draining at ") != std::string::npos &&
               text.find("estimated time to drain") != std::string::npos;
      },
      milliseconds(200));
  INFO("last queue stats output:\n" << text << error);
  CHECK_MESSAGE(seen, "queue stats never showed the backlog draining with an estimate");
  return seen ? text : std::string();
}

// Builds the backlog with the gate closed, opens it, publishes the alerts and the live
// telemetry once the drain has begun, and collects everything until the last event arrived.
Outcome DrainBacklog(const Spec& spec, const PlantLoad& telemetry, const PlantLoad& alerts,
                     const PlantLoad& live) {
  Outcome out;
  BrokerOptions cloud_options;
  cloud_options.name = "cloud";
  cloud_options.extra_config = {"set_tcp_nodelay true"};
  MosquittoBroker cloud(cloud_options);
  REQUIRE(cloud.Start(DeadlineIn(seconds(10))));
  TcpGate gate(cloud.port());
  UplinkRig rig;
  REQUIRE(rig.edge().Start(DeadlineIn(seconds(10))));
  CollectorOptions collector_options;
  collector_options.uri = cloud.uri();
  collector_options.client_id = "ef-limits-collector";
  CloudCollector collector(collector_options);
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());

  rig.WriteConfig(UplinkFor(gate, spec), {TelemetrySource(), AlertsSource()});
  INFO("daemon log:\n" << rig.DaemonLog());
  // Paho's protocol trace goes to the daemon's stdout, its log: the send timeline.
  REQUIRE(
      rig.StartDaemon(DeadlineIn(seconds(30)), "info",
                      {{"MQTT_C_CLIENT_TRACE", "ON"}, {"MQTT_C_CLIENT_TRACE_LEVEL", "PROTOCOL"}}));
  REQUIRE(rig.WaitForLog("cannot connect to cloud", DeadlineIn(seconds(20))));

  TestPublisher publisher(PublisherOptions{.uri = rig.edge().uri()});
  REQUIRE_MESSAGE(publisher.Connect(DeadlineIn(seconds(15))), publisher.error());
  std::string error;
  REQUIRE_MESSAGE(PublishPlant(publisher, telemetry, DeadlineIn(seconds(60)), &error), error);
  REQUIRE(rig.WaitQueued(static_cast<uint64_t>(spec.events), DeadlineIn(seconds(60))));
  CHECK(collector.Stats().unique == 0);

  out.opened = SteadyNow();
  REQUIRE(gate.Open());
  if (spec.alerts > 0 || spec.live > 0) {
    // The drain has begun (the first batch is in), so alerts and live data meet a full backlog.
    REQUIRE(collector.WaitForCount(1, DeadlineIn(seconds(30))));
    for (const PlantLoad* load : {spec.alerts > 0 ? &alerts : nullptr, spec.live > 0 ? &live : nullptr}) {
      if (load == nullptr) continue;
      REQUIRE_MESSAGE(PublishPlant(publisher, *load, DeadlineIn(seconds(30)), &error), error);
      if (load == &alerts) out.alerts_sent = SteadyNow();
    }
  }
  const size_t total = static_cast<size_t>(spec.events + spec.alerts + spec.live);
  if (spec.watch_queue_stats) {
    out.queue_stats = WatchDrainInQueueStats(rig, DeadlineIn(seconds(60)));
  }
  out.complete = collector.WaitForCount(total, DeadlineIn(seconds(90)));
  out.drained = SteadyNow();
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
  out.daemon_log = rig.DaemonLog();
  out.catch_up_boundary = CatchUpBoundary(out.daemon_log);
  out.arrivals = collector.Arrivals();
  out.status = collector.StatusMessages();
  out.stats = collector.Stats();
  std::vector<std::string> missing =
      collector.MissingCounters(telemetry.DeviceIds(), telemetry.PerDevice());
  CHECK_MESSAGE(missing.empty(), DescribeMissing(missing));
  if (spec.alerts > 0) {
    missing = collector.MissingCounters(alerts.DeviceIds(), alerts.PerDevice());
    CHECK_MESSAGE(missing.empty(), "alerts: " << DescribeMissing(missing));
  }
  if (spec.live > 0) {
    missing = collector.MissingCounters(live.DeviceIds(), live.PerDevice());
    CHECK_MESSAGE(missing.empty(), "live: " << DescribeMissing(missing));
  }
  return out;
}

std::string Describe(const WindowMax& w) {
  return std::to_string(w.publishes) + " publishes, " + std::to_string(w.bytes) + " bytes";
}

// Publishes and bytes of a timeline, and its span (first to last message) in seconds.
struct Totals {
  size_t publishes = 0;
  uint64_t bytes = 0;
  size_t largest = 0;
  double span_s = 0;
};

Totals TotalsOf(const std::vector<Sent>& timeline) {
  Totals t;
  int64_t first = std::numeric_limits<int64_t>::max(), last = std::numeric_limits<int64_t>::min();
  for (const Sent& s : timeline) {
    ++t.publishes;
    t.bytes += s.bytes;
    t.largest = std::max(t.largest, s.bytes);
    first = std::min(first, s.at_us);
    last = std::max(last, s.at_us);
  }
  if (!timeline.empty()) t.span_s = static_cast<double>(last - first) / 1e6;
  return t;
}

// The limits a timeline must keep (see the file comment): no message over the size limit,
// and in all no more than the rates allow for its span plus one second.
void CheckTotals(const char* which, const Totals& t) {
  INFO(which << ": " << t.publishes << " publishes, " << t.bytes << " bytes, largest "
             << t.largest << ", over " << t.span_s << " s");
  CHECK(t.largest <= kMaxMessageBytes);
  CHECK(static_cast<double>(t.publishes) <= kMaxPublishesPerS * (t.span_s + 1));
  CHECK(static_cast<double>(t.bytes) <= static_cast<double>(kMaxBytesPerS) * (t.span_s + 1));
}

// Checks the limits on both timelines and prints the 1 s window maxima (see the file comment).
void CheckLimits(const Outcome& out) {
  const std::vector<Sent> written = SendTimeline(out.daemon_log);
  REQUIRE_MESSAGE(written.size() > out.arrivals.size(),
                  "no Paho protocol trace of the uplink's publishes in the daemon log");
  const WindowMax sender = MaxInWindows(written, milliseconds(999));

  std::vector<Sent> received;
  uint64_t bytes = 0;
  const auto us = [&](SteadyClock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t - out.opened).count();
  };
  for (const Arrival& a : out.arrivals) {
    received.push_back({us(a.at), a.wire_bytes});
    bytes += a.wire_bytes;
  }
  for (const StatusMessage& s : out.status) received.push_back({us(s.at), s.payload.size()});
  const WindowMax cloud = MaxInWindows(received, seconds(1));
  const Totals sent_totals = TotalsOf(written), received_totals = TotalsOf(received);
  const double span = std::chrono::duration<double>(out.drained - out.opened).count();
  MESSAGE(out.arrivals.size() << " messages, " << bytes << " bytes, largest "
                              << received_totals.largest << ", average "
                              << bytes / std::max<size_t>(1, out.arrivals.size())
                              << "; gate open to drained " << span << " s. Max per 1 s window: "
                              << "written by edgeferry " << Describe(sender)
                              << "; received by the cloud " << Describe(cloud));
  CheckTotals("written by edgeferry", sent_totals);
  CheckTotals("received by the cloud", received_totals);
}

// Per stream, and within a stream per part (the backlog up to the catch-up boundary, the live
// events after it), every event's seq is above all seqs of that part that arrived before it;
// each batch's header agrees with its events.
void CheckOrder(const Outcome& out) {
  std::map<std::pair<std::string, bool>, int64_t> highest;
  size_t out_of_order = 0, bad_headers = 0, not_batches = 0;
  for (const Arrival& a : out.arrivals) {
    if (!a.batch) {
      ++not_batches;
      continue;
    }
    const Batch& b = *a.batch;
    if (b.events.empty() || b.count != static_cast<int64_t>(b.events.size()) ||
        b.first_seq != b.events.front().seq || b.last_seq != b.events.back().seq) {
      ++bad_headers;
    }
    for (const Envelope& e : b.events) {
      const bool live = out.catch_up_boundary > 0 && *e.seq > out.catch_up_boundary;
      auto [it, first] = highest.emplace(std::make_pair(b.stream, live), *e.seq);
      if (!first && *e.seq <= it->second) ++out_of_order;
      it->second = std::max(it->second, *e.seq);
    }
  }
  CHECK(not_batches == 0);
  CHECK(bad_headers == 0);
  CHECK_MESSAGE(out_of_order == 0, out_of_order << " events arrived after a higher seq");
  CHECK(out.stats.duplicate_seq == 0);
  CHECK(out.stats.unparsed == 0);
}

TEST_CASE(
    "cloud limits: a 10-minute backlog drains within 512 KiB/s and 128 KiB: alerts first, "
    "then live data, then the backlog, each in order") {
  // Ten minutes of a plant of 20 devices reporting twice a second: 24,000 events (5 MB),
  // drained in about 10 s at 512 KiB/s. ~215 bytes per event in a batch, so 500 events
  // make ~108 KB messages: larger than the token bucket's burst (a tenth of 512 KiB), and
  // five of them fit in 950 ms if the bucket lets each one go into debt.
  const Spec spec{
      .events = 24'000, .pad = 70, .batch_max_events = 500, .alerts = 100, .live = 200};
  const PlantLoad telemetry{.devices = 20, .total = spec.events, .pad = spec.pad};
  const PlantLoad alerts{
      .devices = 10, .total = spec.alerts, .kind = "alerts", .device_prefix = "alarm"};
  const PlantLoad live{.devices = 5, .total = spec.live, .device_prefix = "live"};
  const Outcome out = DrainBacklog(spec, telemetry, alerts, live);
  REQUIRE(out.complete);
  // The telemetry backlog is seqs 1..24000: it was committed before the cloud came back.
  CHECK(out.catch_up_boundary == spec.events);
  CheckLimits(out);
  CheckOrder(out);

  // Every alert and every live event arrived before the telemetry backlog was through.
  SteadyClock::time_point last_alert{}, last_live{}, last_backlog{};
  for (const Arrival& a : out.arrivals) {
    if (!a.batch) continue;
    for (const Envelope& e : a.batch->events) {
      SteadyClock::time_point& last = a.batch->stream == "alerts"        ? last_alert
                                      : *e.seq > out.catch_up_boundary ? last_live
                                                                       : last_backlog;
      last = a.at;
    }
  }
  const auto ms = [](SteadyClock::duration d) {
    return std::chrono::duration_cast<milliseconds>(d).count();
  };
  MESSAGE("alerts published " << ms(out.alerts_sent - out.opened)
                              << " ms after the gate opened; after that the last alert arrived "
                              << ms(last_alert - out.alerts_sent) << " ms, the last live event "
                              << ms(last_live - out.alerts_sent) << " ms, the backlog's last "
                              << ms(last_backlog - out.alerts_sent) << " ms");
  CHECK(last_alert != SteadyClock::time_point{});
  CHECK(last_live != SteadyClock::time_point{});
  CHECK(last_alert < last_backlog);
  CHECK(last_live < last_backlog);
}

TEST_CASE(
    "cloud limits: small batches drain within 100 publishes/s, in order, and queue stats shows "
    "the drain rate and the time to drain") {
  // 8,000 events in batches of 5 at 100 publishes/s: a 16 s drain, over a measurement.
  const Spec spec{
      .events = 8'000, .pad = 0, .batch_max_events = 5, .alerts = 0, .watch_queue_stats = true};
  const PlantLoad telemetry{.devices = 10, .total = spec.events};
  const Outcome out = DrainBacklog(spec, telemetry, PlantLoad{}, PlantLoad{});
  REQUIRE(out.complete);
  CheckLimits(out);
  CheckOrder(out);
  MESSAGE("queue stats while draining:\n" << out.queue_stats);
  CHECK(out.queue_stats.find("telemetry") != std::string::npos);
}

}  // namespace
}  // namespace ef::testkit
