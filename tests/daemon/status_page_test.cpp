// The status page: HTML with an SVG chart of the queue depth, streams, devices; every name
// that came from outside (device ids from MQTT topics) is escaped.
#include "daemon/status_page.h"

#include <doctest/doctest.h>

namespace ef::daemon {
namespace {

TEST_CASE("the page shows health, uplink, the depth chart, streams and devices, escaped") {
  MetricsRegistry metrics;
  metrics.GetGauge("edgeferry_queue_events", "", {{"stream", "telemetry"}}).Set(40);
  metrics.GetGauge("edgeferry_uplink_connected", "").Set(1);
  metrics.GetGauge("edgeferry_device_last_seen_timestamp_seconds", "",
                   {{"device", "<script>x</script>"}})
      .Set(1'764'000'000);
  metrics.GetGauge("edgeferry_device_completeness_ratio", "", {{"device", "<script>x</script>"}})
      .Set(0.62);
  QueueHistory history(2);
  for (int64_t at : {1'763'998'000'000, 1'763'999'000'000, 1'764'000'000'000}) {
    history.Add(at, metrics.Snapshot());
  }
  CHECK(history.Samples().size() == 2);  // bounded
  StatusPageInputs in{"gw-<1>", 1'764'000'010'000, {true, "{\"status\":\"ok\"}"},
                      metrics.Snapshot(), history.Samples()};
  const std::string page = RenderStatusPage(in);
  CHECK(page.starts_with("<!DOCTYPE html>"));
  CHECK(page.find("<h1>edgeferry gw-&lt;1&gt;</h1>") != std::string::npos);
  CHECK(page.find("class=\"ok\"") != std::string::npos);
  CHECK(page.find("uplink: connected") != std::string::npos);
  CHECK(page.find("<polyline") != std::string::npos);
  CHECK(page.find("<title>telemetry</title>") != std::string::npos);
  CHECK(page.find("<script>") == std::string::npos);
  CHECK(page.find("&lt;script&gt;x&lt;/script&gt;</td><td>10 s ago</td><td>62 %</td>") !=
        std::string::npos);
}

TEST_CASE("the page lists the latest alerts and dead letters, escaped, or says none") {
  const StatusPageInputs in{"gw", 1'764'000'010'000, {true, "{}"}, {}, {}};
  const std::string empty = RenderStatusPage(in);
  CHECK(empty.find("<p id=\"alerts\">none</p>") != std::string::npos);
  CHECK(empty.find("<p id=\"dead-letters\">none</p>") != std::string::npos);

  StatusLists lists;
  lists.alerts = {{1'764'000'000'000, "dev-<7>", "overheat", "critical", "raised", "41.7 > 40"}};
  storage::DeadLetterRow dead;
  dead.id = 12;
  dead.event.stream = "telemetry";
  dead.event.device_id = "dev-3";
  dead.reason = "larger than max_message_bytes (2048)";
  dead.dead_time_ms = 1'764'000'005'000;
  lists.dead_letters = {dead};
  const std::string page = RenderStatusPage(in, lists);
  CHECK(page.find("<tr><td>2025-11-24 16:00:00Z</td><td>dev-&lt;7&gt;</td><td>overheat</td>"
                  "<td>critical</td><td>raised</td><td>41.7 &gt; 40</td></tr>") != std::string::npos);
  CHECK(page.find("<tr><td>2025-11-24 16:00:05Z</td><td>telemetry</td><td>dev-3</td>"
                  "<td>larger than max_message_bytes (2048)</td><td>12</td></tr>") !=
        std::string::npos);
}

}  // namespace
}  // namespace ef::daemon
