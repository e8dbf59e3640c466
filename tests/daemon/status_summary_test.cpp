// The status summary: due every interval, the totals of the registry, rates since the last one.
#include "daemon/status_summary.h"

#include <doctest/doctest.h>

#include "tests/fakes/manual_clock.h"

namespace ef::daemon {
namespace {

using namespace std::chrono_literals;

TEST_CASE("the summary is due every interval and carries totals and rates") {
  testing::ManualClock clock;
  MetricsRegistry metrics;
  StatusSummary summary(clock, "edgeferry-gw", 60s);
  CHECK_FALSE(summary.Due());
  metrics.GetCounter("edgeferry_events_received_total", "", {{"source", "edge"}}).Add(600);
  metrics.GetCounter("edgeferry_events_uplinked_total", "", {{"stream", "telemetry"}}).Add(540);
  metrics.GetGauge("edgeferry_queue_events", "", {{"stream", "telemetry"}}).Set(60);
  metrics.GetGauge("edgeferry_queue_oldest_age_seconds", "", {{"stream", "telemetry"}}).Set(2.5);
  clock.Advance(60s);
  REQUIRE(summary.Due());
  const std::string text = summary.Build(metrics.Snapshot(), true);
  CHECK(text.starts_with(R"({"client":"edgeferry-gw","state":"online","summary":{"version":")"));
  CHECK(text.find(R"("libraries":["Paho MQTT C )") != std::string::npos);
  CHECK(text.find(R"("uptime_s":60,"healthy":true,"queue_events":60,)") != std::string::npos);
  CHECK(text.find(R"("queue_oldest_age_s":2.5,"received_per_s":10.0,"uplinked_per_s":9.0,)") !=
        std::string::npos);
  CHECK(text.find(R"("received":600,)") != std::string::npos);
  CHECK_FALSE(summary.Due());
  StatusSummary never(clock, "x", 0s);
  clock.Advance(3600s);
  CHECK_FALSE(never.Due());
}

}  // namespace
}  // namespace ef::daemon
