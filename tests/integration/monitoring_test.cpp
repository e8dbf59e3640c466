// The monitoring endpoints of a running edgeferry with real brokers:
//   (a) /metrics moves with the load and agrees with what the cloud received, and parses with
//       Prometheus' own Python parser (python3-prometheus-client);
//   (b) /healthz turns 503 when the committer cannot commit (another process holds the queue
//       database's write lock) and back to 200 when it can;
//   (c) /healthz turns 503 when the uplink's connection takes publishes and acknowledges none
//       (the cloud broker frozen with SIGSTOP), and back to 200 (SIGCONT);
//   (d) the cloud down with a backlog is not a stall: /healthz stays 200;
//   (e) slow-loris clients and a 10 MB request do not disturb ingest or the uplink;
//   (f) completeness events reach the cloud on the aggregates stream, and count across a
//       daemon restart;
//   (g) the status page lists the latest alerts and dead letters.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <csignal>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "tests/integration/gateway_rig.h"
#include "tests/integration/telemetry_workload.h"
#include "tests/support/cloud_collector.h"
#include "tests/support/http_client.h"
#include "tests/support/net.h"

namespace ef::testkit {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kDevices = 5;
constexpr char kParse[] = R"py(
import sys
from prometheus_client.parser import text_string_to_metric_families
families = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
assert families['edgeferry_events_received'].type == 'counter', families.keys()
assert families['edgeferry_uplink_latency_seconds'].type == 'histogram'
assert families['edgeferry_queue_oldest_age_seconds'].type == 'gauge'
assert families['process_cpu_seconds'].type == 'counter'
print('parsed', len(families), 'families')
)py";

// A GatewayRig with the monitoring server on a free loopback port and a 2 s stall timeout.
struct MonitoringRig {
  uint16_t port = FreeLoopbackPort();
  GatewayRig gw;
  CloudCollector cloud{gw.CloudCollectorOptions()};
  TestPublisher edge{gw.EdgePublisherOptions()};  // after gw: both read its options
  int published = 0;

  static GatewayOptions Options(uint16_t port, GatewayOptions options) {
    options.metrics_toml = "listen = \"127.0.0.1:" + std::to_string(port) +
                           "\"\nstall_timeout_s = 2\nsummary_interval_s = 1\n";
    return options;
  }
  static GatewayOptions Extra(std::string extra_toml) {
    GatewayOptions options;
    options.extra_toml = std::move(extra_toml);
    return options;
  }
  explicit MonitoringRig(std::string extra_toml = "")
      : MonitoringRig(Extra(std::move(extra_toml))) {}
  explicit MonitoringRig(GatewayOptions options) : gw(Options(port, std::move(options))) {
    REQUIRE(gw.StartBrokers(DeadlineIn(seconds(15))));
    REQUIRE_MESSAGE(gw.StartDaemon(DeadlineIn(seconds(20))), gw.DaemonLog());
    REQUIRE_MESSAGE(cloud.Connect(DeadlineIn(seconds(15))), cloud.error());
    REQUIRE_MESSAGE(edge.Connect(DeadlineIn(seconds(15))), edge.error());
  }
  void Publish(int n) {
    for (int i = 0; i < n; ++i, ++published) {
      const std::string device = TelemetryWorkload::DeviceId(published % kDevices);
      REQUIRE(edge.Publish(TelemetryWorkload::Topic(device),
                           R"({"n":)" + std::to_string(published / kDevices) + "}",
                           DeadlineIn(seconds(30))));
    }
    REQUIRE_MESSAGE(edge.WaitAllAcked(DeadlineIn(seconds(30))), edge.error());
  }
  std::optional<HttpReply> Get(std::string_view path) {
    return HttpGet(port, path, DeadlineIn(seconds(5)));
  }
  std::string Metrics() {
    const auto reply = Get("/metrics");
    REQUIRE(reply);
    REQUIRE(reply->status == 200);
    return reply->body;
  }
  double Sample(std::string_view series) { return SampleValue(Metrics(), series).value_or(-1); }
  // Waits until /healthz answers `status` with `reason` in its body.
  bool HealthBecomes(int status, std::string_view reason, Deadline deadline) {
    return WaitUntil(deadline, [&] {
      const auto reply = Get("/healthz");
      return reply && reply->status == status && reply->body.find(reason) != std::string::npos;
    }, milliseconds(100));
  }
};

TEST_CASE("/metrics moves with the load, agrees with the cloud and parses") {
  MonitoringRig rig;
  REQUIRE(rig.HealthBecomes(200, "\"status\":\"ok\"", DeadlineIn(seconds(10))));
  rig.Publish(300);
  REQUIRE(rig.cloud.WaitForCount(300, DeadlineIn(seconds(30))));
  REQUIRE(WaitUntil(DeadlineIn(seconds(10)), [&] {
    return rig.Sample("edgeferry_events_uplinked_total{stream=\"telemetry\"}") == 300;
  }));
  const std::string text = rig.Metrics();
  CHECK(SampleValue(text, "edgeferry_events_received_total{kind=\"mqtt\",source=\"edge\"}") == 300);
  CHECK(SampleValue(text, "edgeferry_events_committed_total{stream=\"telemetry\"}") == 300);
  CHECK(rig.cloud.Stats().unique == 300);
  CHECK(SampleValue(text, "edgeferry_uplink_latency_seconds_count") == 300);
  CHECK(SampleValue(text, "edgeferry_uplink_publishes_total") == 300);
  CHECK(SampleValue(text, "edgeferry_uplink_connected") == 1);
  CHECK(SampleValue(text, "edgeferry_queue_events{stream=\"telemetry\"}") == 0);
  CHECK(SampleValue(text, "edgeferry_queue_oldest_age_seconds{stream=\"telemetry\"}") == 0);
  CHECK(SampleValue(text, "edgeferry_devices_tracked") == kDevices);
  CHECK(SampleValue(text, "edgeferry_device_last_seen_timestamp_seconds{device=\"dev-00\"}")
            .value_or(0) > 1.7e9);
  CHECK(SampleValue(text, "process_resident_memory_bytes").value_or(0) > 0);
  const auto reply = rig.Get("/metrics");
  REQUIRE(reply);
  CHECK(reply->Header("Content-Type").starts_with("text/plain; version=0.0.4"));

  // The status summary on the status topic catches up with the same figures.
  CHECK(WaitUntil(DeadlineIn(seconds(10)), [&] {
    for (const StatusMessage& m : rig.cloud.StatusMessages()) {
      if (m.payload.find("\"received\":300,\"committed\":300,\"uplinked\":300") !=
          std::string::npos) {
        return m.topic == "edgeferry/gw-store/status";
      }
    }
    return false;
  }));
  const auto page = rig.Get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->Header("Content-Type").starts_with("text/html"));
  CHECK(page->body.find("<svg") != std::string::npos);
  CHECK(page->body.find("dev-00") != std::string::npos);

  TempDir dir("ef-prom");
  WriteFile(dir.File("metrics.txt"), text);
  ProcessOptions spawn;
  spawn.argv = {"/usr/bin/python3", "-c", kParse, dir.File("metrics.txt").string()};
  spawn.log_file = dir.File("python.log");
  Process python(std::move(spawn));
  CHECK_MESSAGE(python.Wait(DeadlineIn(seconds(30))) == 0, python.Log());
}

// The status page's DOM as headless chromium renders it; nothing when Debian's chromium is not
// installed (the caller skips).
std::optional<std::string> DumpDom(uint16_t port) {
  const std::string chromium = "/usr/bin/chromium";
  if (!std::filesystem::exists(chromium)) return std::nullopt;
  TempDir dir("ef-chromium");
  ProcessOptions spawn;
  spawn.argv = {chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + dir.File("profile").string(), "--dump-dom",
                "http://127.0.0.1:" + std::to_string(port) + "/"};
  spawn.log_file = dir.File("dom.html");
  Process browser(std::move(spawn));
  CHECK(browser.Wait(DeadlineIn(seconds(60))) == 0);
  return browser.Log();
}

// The status page in a real browser, when Debian's chromium is installed (skipped otherwise).
TEST_CASE("the status page renders in headless chromium") {
  if (!std::filesystem::exists("/usr/bin/chromium")) {
    MESSAGE("skipped: /usr/bin/chromium is not installed");
    return;
  }
  MonitoringRig rig;
  rig.Publish(20);
  REQUIRE(rig.cloud.WaitForCount(20, DeadlineIn(seconds(30))));
  const std::string dom = DumpDom(rig.port).value_or("");
  CHECK(dom.find("<svg") != std::string::npos);
  CHECK(dom.find("<polyline") != std::string::npos);
  CHECK(dom.find("dev-04") != std::string::npos);
}

// An alert arrives on the alerts stream (from a second MQTT source); a message larger than the
// uplink's max_message_bytes becomes a dead letter. The page of the running daemon lists
// both, and so does chromium's rendering of it when chromium is installed.
TEST_CASE("the status page lists the latest alerts and dead letters") {
  GatewayOptions options;
  options.sources_toml =
      "[[sources.mqtt]]\nname = \"alarms\"\nuri = \"" + std::string(kEdgeUriMark) + "\"\n"
      "client_id = \"edgeferry-alarms\"\ntopics = [\"plant/+/alarm\"]\ndevice_id_level = 1\n"
      "qos = 1\nstream = \"alerts\"\n";
  options.uplink_toml = "max_message_bytes = 1024\n";
  MonitoringRig rig(std::move(options));
  REQUIRE(rig.edge.Publish("plant/dev-07/alarm",
                           R"({"name":"overheat","severity":"critical","message":"41.7 > 40"})",
                           DeadlineIn(seconds(30))));
  REQUIRE(rig.edge.Publish("plant/dev-03/telemetry",
                           R"({"blob":")" + std::string(2000, 'x') + R"("})",
                           DeadlineIn(seconds(30))));
  REQUIRE_MESSAGE(rig.edge.WaitAllAcked(DeadlineIn(seconds(30))), rig.edge.error());
  const std::string alert =
      "<td>dev-07</td><td>overheat</td><td>critical</td><td></td><td>41.7 &gt; 40</td>";
  const std::string dead =
      "<td>telemetry</td><td>dev-03</td><td>larger than max_message_bytes (1024)</td>";
  std::string page;
  CHECK_MESSAGE(WaitUntil(DeadlineIn(seconds(20)), [&] {
    const auto reply = rig.Get("/");
    page = reply ? reply->body : "";
    return page.find(alert) != std::string::npos && page.find(dead) != std::string::npos;
  }, milliseconds(200)), page);
  if (const std::optional<std::string> dom = DumpDom(rig.port)) {
    CHECK(dom->find(alert) != std::string::npos);
    CHECK(dom->find(dead) != std::string::npos);
  } else {
    MESSAGE("chromium part skipped: /usr/bin/chromium is not installed");
  }
}

TEST_CASE("completeness: per-device windows reach the cloud on the aggregates stream") {
  // Declared: one sample per 100 ms; windows of 2 s; each device sends 10 at once.
  MonitoringRig rig(
      "[completeness]\nenabled = true\nwindow_s = 2\n[completeness.expected_interval_ms]\n"
      "\"dev-00\" = 100\n\"dev-01\" = 100\n\"dev-02\" = 100\n\"dev-03\" = 100\n"
      "\"dev-04\" = 100\n");
  rig.Publish(50);
  const auto completeness_of = [&](const std::string& device) {
    for (const Arrival& a : rig.cloud.Arrivals()) {
      if (a.envelope && a.envelope->stream == "aggregates" && a.envelope->device == device &&
          a.envelope->payload && a.envelope->payload->find("\"kind\":\"completeness\"") !=
                                     std::string::npos) {
        return *a.envelope->payload;
      }
    }
    return std::string();
  };
  REQUIRE(WaitUntil(DeadlineIn(seconds(15)), [&] { return !completeness_of("dev-04").empty(); }));
  const std::string payload = completeness_of("dev-04");
  MESSAGE(payload);
  CHECK(payload.find("\"expected\":20,") != std::string::npos);
  CHECK(payload.find("\"received\":10,") != std::string::npos);
  // Quiet since: silent after 10 intervals (1 s), counted and reported.
  CHECK(WaitUntil(DeadlineIn(seconds(10)), [&] {
    return rig.Sample("edgeferry_devices_silent") == kDevices;
  }));
  CHECK(rig.Sample("edgeferry_device_completeness_ratio{device=\"dev-04\"}") >= 0);
}

// Half of each device's samples before a restart of the daemon, half after: the windows'
// counts are checkpointed in the queue, so the completeness events together count all 20 of
// each device (without the checkpoint the first 10 were forgotten with the open window),
// wherever the window's end falls.
TEST_CASE("completeness: a daemon restart loses no count of an open window") {
  MonitoringRig rig(
      "[completeness]\nenabled = true\nwindow_s = 20\n[completeness.expected_interval_ms]\n"
      "\"dev-00\" = 100\n\"dev-01\" = 100\n\"dev-02\" = 100\n\"dev-03\" = 100\n"
      "\"dev-04\" = 100\n");
  rig.Publish(50);
  REQUIRE(rig.cloud.WaitForCount(50, DeadlineIn(seconds(30))));
  REQUIRE(rig.gw.StopDaemon(DeadlineIn(seconds(20))) == 0);
  REQUIRE_MESSAGE(rig.gw.StartDaemon(DeadlineIn(seconds(20))), rig.gw.DaemonLog());
  rig.Publish(50);
  // Sums "received" over dev-04's completeness events at the cloud.
  const auto received = [&] {
    int64_t total = 0;
    for (const Arrival& a : rig.cloud.Arrivals()) {
      if (!a.envelope || a.envelope->stream != "aggregates" || a.envelope->device != "dev-04" ||
          !a.envelope->payload) {
        continue;
      }
      const std::string& p = *a.envelope->payload;
      const size_t at = p.find("\"received\":");
      if (p.find("\"kind\":\"completeness\"") != std::string::npos && at != std::string::npos) {
        total += std::stoll(p.substr(at + 11));
      }
    }
    return total;
  };
  CHECK(WaitUntil(DeadlineIn(seconds(60)), [&] { return received() >= 20; }, milliseconds(200)));
  CHECK(received() == 20);
}

TEST_CASE("/healthz turns 503 while the committer cannot commit, and back to 200") {
  MonitoringRig rig;
  REQUIRE(rig.HealthBecomes(200, "\"status\":\"ok\"", DeadlineIn(seconds(10))));
  // Another process holds the write lock of the queue: every commit waits, then fails.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((rig.gw.data_dir() / "queue.db").c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  REQUIRE(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  rig.Publish(50);
  CHECK_MESSAGE(rig.HealthBecomes(503, "pipeline made no progress", DeadlineIn(seconds(15))),
                rig.gw.DaemonLog());
  REQUIRE(sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  CHECK(rig.HealthBecomes(200, "\"status\":\"ok\"", DeadlineIn(seconds(20))));
  CHECK(rig.cloud.WaitForCount(50, DeadlineIn(seconds(30))));
}

TEST_CASE("/healthz turns 503 while the cloud acknowledges nothing, and back to 200") {
  MonitoringRig rig;
  REQUIRE(rig.HealthBecomes(200, "\"status\":\"ok\"", DeadlineIn(seconds(10))));
  rig.gw.cloud().Signal(SIGSTOP);  // connections stay open; nothing is acknowledged
  rig.Publish(50);
  const bool stalled = rig.HealthBecomes(503, "uplink made no progress", DeadlineIn(seconds(15)));
  const auto during = rig.Get("/healthz");
  rig.gw.cloud().Signal(SIGCONT);
  CHECK(stalled);
  REQUIRE(during);
  CHECK(during->body.find("pipeline made no progress") == std::string::npos);
  CHECK(rig.HealthBecomes(200, "\"status\":\"ok\"", DeadlineIn(seconds(20))));
  CHECK(rig.cloud.WaitForCount(50, DeadlineIn(seconds(30))));
}

TEST_CASE("the cloud down with a backlog is not a stall: /healthz stays 200") {
  MonitoringRig rig;
  REQUIRE(rig.HealthBecomes(200, "\"status\":\"ok\"", DeadlineIn(seconds(10))));
  REQUIRE(rig.gw.cloud().Stop(DeadlineIn(seconds(10))));
  rig.Publish(50);
  REQUIRE(WaitUntil(DeadlineIn(seconds(10)), [&] {
    return rig.Sample("edgeferry_uplink_connected") == 0 &&
           rig.Sample("edgeferry_queue_events{stream=\"telemetry\"}") == 50;
  }));
  // Longer than the stall timeout (2 s), /healthz must never say 503.
  int unhealthy = 0;
  WaitUntil(DeadlineIn(seconds(4)), [&] {
    const auto reply = rig.Get("/healthz");
    unhealthy += (!reply || reply->status != 200) ? 1 : 0;
    return false;
  }, milliseconds(200));
  CHECK(unhealthy == 0);
  CHECK(rig.Sample("edgeferry_queue_oldest_age_seconds{stream=\"telemetry\"}") > 1);
  REQUIRE(rig.gw.cloud().Start(DeadlineIn(seconds(10))));
  CHECK(rig.cloud.WaitForCount(50, DeadlineIn(seconds(60))));
}

TEST_CASE("slow-loris clients and a 10 MB request do not disturb ingest") {
  MonitoringRig rig;
  REQUIRE(rig.HealthBecomes(200, "\"status\":\"ok\"", DeadlineIn(seconds(10))));
  // 10 MB at the server: refused (413) after the headers, the connection closed.
  RawConnection big;
  REQUIRE(big.Connect(rig.port));
  const std::string body(10 * 1024 * 1024, 'x');
  big.Send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
               "\r\n\r\n" + body,
           DeadlineIn(seconds(10)));  // the server may close before taking it all
  CHECK(big.WaitClosed(DeadlineIn(seconds(15))));
  // More slow clients than the server serves at once (16): they hold every connection.
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 20; ++i) {
    auto c = std::make_unique<RawConnection>();
    REQUIRE(c->Connect(rig.port));
    REQUIRE(c->Send("GET /metrics HTTP/1.1\r\nX-Slow: ", DeadlineIn(seconds(2))));
    slow.push_back(std::move(c));
  }
  const auto started = SteadyNow();
  rig.Publish(500);
  CHECK(rig.cloud.WaitForCount(500, DeadlineIn(seconds(30))));
  MESSAGE("500 events edge -> cloud in " << std::chrono::duration_cast<milliseconds>(SteadyNow() - started).count()
                                         << " ms with " << slow.size() << " slow clients");
  // The server cuts the slow clients (10 s per connection) and serves again.
  for (auto& c : slow) CHECK(c->WaitClosed(DeadlineIn(seconds(30))));
  CHECK(rig.HealthBecomes(200, "\"status\":\"ok\"", DeadlineIn(seconds(30))));
  CHECK(rig.gw.DaemonRunning());
}

}  // namespace
}  // namespace ef::testkit
