// What `queue stats` says about the drain: a rate and an estimated time while it drains, "not
// draining" when stalled, and no estimate from a stale or missing measurement.
#include <doctest/doctest.h>

#include "daemon/drain_estimate.h"

namespace ef::daemon {
namespace {

constexpr int64_t kNow = 1'764'000'000'000;

StreamStats Stream(std::string name, uint64_t events, double per_s, int64_t age_ms) {
  StreamStats s;
  s.stream = std::move(name);
  s.events = events;
  s.drain_per_s = per_s;
  s.drain_measured_ms = age_ms < 0 ? 0 : kNow - age_ms;
  return s;
}

TEST_CASE("a draining backlog gets a rate and an estimated time to drain") {
  StoreStats stats;
  stats.streams = {Stream("alerts", 0, 12, 4'000), Stream("telemetry", 7894, 210, 4'000)};
  const DrainEstimate total = EstimateTotal(stats, kNow);
  CHECK(total.state == DrainState::kDraining);
  CHECK(total.events == 7894);
  CHECK(total.per_s == 210);  // a drained stream's rate does not count
  CHECK(total.eta_s == 38);   // 37.6, rounded up
  CHECK(DescribeTotal(total) ==
        "backlog 7894 events, draining at 210 events/s (measured 4 s ago), estimated time to "
        "drain 38 s");
  const DrainEstimate telemetry = EstimateStream(stats.streams[1], kNow);
  CHECK(RateCell(telemetry) == "210");
  CHECK(EtaCell(telemetry) == "38 s");
  const DrainEstimate alerts = EstimateStream(stats.streams[0], kNow);
  CHECK(alerts.state == DrainState::kEmpty);
  CHECK(RateCell(alerts) == "12");  // live traffic, measured recently
  CHECK(EtaCell(alerts) == "-");
}

TEST_CASE("several streams drain at the sum of their rates, as old as the oldest measurement") {
  StoreStats stats;
  stats.streams = {Stream("a", 100, 1.5, 2'000), Stream("b", 200, 8.5, 9'000)};
  const DrainEstimate total = EstimateTotal(stats, kNow);
  CHECK(total.per_s == 10);
  CHECK(total.eta_s == 30);
  CHECK(total.age_ms == 9'000);
  CHECK(RateCell(EstimateStream(stats.streams[0], kNow)) == "1.5");
}

TEST_CASE("a rate of 0 with a backlog is not draining") {
  StoreStats stats;
  stats.streams = {Stream("telemetry", 500, 0, 3'000)};
  const DrainEstimate total = EstimateTotal(stats, kNow);
  CHECK(total.state == DrainState::kNotDraining);
  CHECK(total.eta_s == -1);
  CHECK(DescribeTotal(total) == "backlog 500 events, not draining (measured 3 s ago)");
  CHECK(RateCell(EstimateStream(stats.streams[0], kNow)) == "0");
  CHECK(EtaCell(EstimateStream(stats.streams[0], kNow)) == "not draining");
}

TEST_CASE("a stale or missing measurement gives no estimate") {
  StoreStats stats;
  stats.streams = {Stream("telemetry", 500, 210, kStaleAfterMs + 1)};
  DrainEstimate total = EstimateTotal(stats, kNow);
  CHECK(total.state == DrainState::kNoMeasurement);
  CHECK(DescribeTotal(total) ==
        "backlog 500 events, no recent drain measurement (last one 30 s ago)");
  CHECK(RateCell(EstimateStream(stats.streams[0], kNow)) == "-");
  CHECK(EtaCell(EstimateStream(stats.streams[0], kNow)) == "unknown");

  stats.streams.push_back(Stream("alerts", 3, 0, -1));  // never measured: the total neither
  total = EstimateTotal(stats, kNow);
  CHECK(total.state == DrainState::kNoMeasurement);
  CHECK(DescribeTotal(total) ==
        "backlog 503 events, no recent drain measurement (none recorded)");
  CHECK(StateName(total.state) == std::string("no_measurement"));
}

TEST_CASE("an empty queue is just that") {
  StoreStats stats;
  stats.streams = {Stream("telemetry", 0, 0, -1)};
  CHECK(DescribeTotal(EstimateTotal(stats, kNow)) == "backlog 0 events");
}

TEST_CASE("durations read as an estimate") {
  CHECK(HumanDuration(0) == "0 s");
  CHECK(HumanDuration(99) == "99 s");
  CHECK(HumanDuration(100) == "2 min");
  CHECK(HumanDuration(725) == "12 min");
  CHECK(HumanDuration(12'000) == "3 h 20 min");
  CHECK(HumanDuration(190'000) == "2 d 4 h");
}

}  // namespace
}  // namespace ef::daemon
