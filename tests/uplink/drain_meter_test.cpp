// DrainMeter: per-stream drain rates between two reports, and which are worth recording.
#include <doctest/doctest.h>

#include "uplink/drain_meter.h"

namespace ef::uplink {
namespace {

using std::chrono::seconds;

double RateOf(const std::vector<StreamRate>& rates, const std::string& stream) {
  for (const StreamRate& r : rates) {
    if (r.stream == stream) return r.events_per_s;
  }
  return -1;  // not to be recorded
}

TEST_CASE("the first measurement only starts the interval") {
  DrainMeter meter;
  meter.Acked("telemetry", 500);
  CHECK(meter.Measure({{"telemetry", 2000}}, Clock::Duration::zero()).empty());
  meter.Acked("telemetry", 100);
  const auto rates = meter.Measure({{"telemetry", 1900}}, seconds(10));
  CHECK(RateOf(rates, "telemetry") == doctest::Approx(10.0));  // the 500 before do not count
}

TEST_CASE("each stream's rate is its acks over the interval; a stalled backlog is 0") {
  DrainMeter meter;
  meter.Acked("telemetry", 2100);
  meter.Acked("alerts", 40);
  const auto rates =
      meter.Measure({{"telemetry", 7894}, {"alerts", 0}, {"aggregates", 12}}, seconds(10));
  CHECK(rates.size() == 3);
  CHECK(RateOf(rates, "telemetry") == doctest::Approx(210.0));
  CHECK(RateOf(rates, "alerts") == doctest::Approx(4.0));  // drained: still measured
  CHECK(RateOf(rates, "aggregates") == 0);                  // waiting, not draining
  CHECK(TotalRate(rates) == doctest::Approx(214.0));
}

TEST_CASE("a finished drain is recorded as 0 once, then an idle gateway records nothing") {
  DrainMeter meter;
  meter.Acked("telemetry", 300);
  CHECK(RateOf(meter.Measure({}, seconds(10)), "telemetry") == doctest::Approx(30.0));
  CHECK(RateOf(meter.Measure({}, seconds(10)), "telemetry") == 0);
  CHECK(meter.Measure({}, seconds(10)).empty());
  CHECK(meter.Measure({{"telemetry", 0}}, seconds(10)).empty());
}

TEST_CASE("live traffic without a backlog is measured too") {
  DrainMeter meter;
  meter.Acked("telemetry", 55);
  const auto rates = meter.Measure({}, std::chrono::milliseconds(11'000));
  CHECK(RateOf(rates, "telemetry") == doctest::Approx(5.0));
}

}  // namespace
}  // namespace ef::uplink
