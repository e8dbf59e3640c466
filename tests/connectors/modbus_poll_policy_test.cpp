// Poll timing, report strategies and per-slave health, on a manual clock.
#include <doctest/doctest.h>

#include "connectors/modbus/poll_policy.h"
#include "tests/fakes/manual_clock.h"

namespace ef::connectors::modbus {
namespace {

using std::chrono::milliseconds;
using ef::testing::ManualClock;

TEST_CASE("a poll that keeps its interval is due every interval, without drift") {
  ManualClock clock;
  PollSchedule schedule(milliseconds(100), clock.Now());
  CHECK(schedule.Due(clock.Now()));
  clock.Advance(milliseconds(30));  // the poll took 30 ms
  schedule.Done(clock.Now());
  CHECK_FALSE(schedule.Due(clock.Now()));
  clock.Advance(milliseconds(70));
  CHECK(schedule.Due(clock.Now()));
  clock.Advance(milliseconds(5));
  schedule.Done(clock.Now());
  CHECK(schedule.next() == clock.Now() + milliseconds(95));
  CHECK(schedule.overruns() == 0);
}

TEST_CASE("an overrun is counted and skipped, never caught up in a burst") {
  ManualClock clock;
  const auto start = clock.Now();
  PollSchedule schedule(milliseconds(100), start);
  clock.Advance(milliseconds(250));  // the poll took two and a half intervals
  schedule.Done(clock.Now());
  CHECK(schedule.overruns() == 2);
  CHECK(schedule.next() == start + milliseconds(300));
  CHECK_FALSE(schedule.Due(clock.Now()));
}

TEST_CASE("every_poll reports every value") {
  ManualClock clock;
  ReportFilter filter(ReportPolicy{});
  CHECK(filter.Offer(int64_t{1}, clock.Now()));
  CHECK(filter.Offer(int64_t{1}, clock.Now()));
}

TEST_CASE("on_change with an absolute deadband") {
  ManualClock clock;
  ReportFilter filter(ReportPolicy{ReportMode::kOnChange, 0.5, 0, 0});
  CHECK(filter.Offer(10.0, clock.Now()));
  CHECK_FALSE(filter.Offer(10.0, clock.Now()));
  CHECK_FALSE(filter.Offer(10.4, clock.Now()));
  CHECK(filter.Offer(10.6, clock.Now()));
  CHECK_FALSE(filter.Offer(10.2, clock.Now()));  // measured from the last reported value
  CHECK(filter.Offer(int64_t{12}, clock.Now()));
  CHECK(filter.Offer(std::string("x"), clock.Now()));
  CHECK_FALSE(filter.Offer(std::string("x"), clock.Now()));
}

TEST_CASE("on_change with a percent deadband") {
  ManualClock clock;
  ReportFilter filter(ReportPolicy{ReportMode::kOnChange, 0, 10, 0});
  CHECK(filter.Offer(100.0, clock.Now()));
  CHECK_FALSE(filter.Offer(109.0, clock.Now()));
  CHECK(filter.Offer(111.0, clock.Now()));
}

TEST_CASE("on_change reports an unchanged value after the maximum silence") {
  ManualClock clock;
  ReportFilter filter(ReportPolicy{ReportMode::kOnChange, 0, 0, 1000});
  CHECK(filter.Offer(true, clock.Now()));
  clock.Advance(milliseconds(999));
  CHECK_FALSE(filter.Offer(true, clock.Now()));
  clock.Advance(milliseconds(1));
  CHECK(filter.Offer(true, clock.Now()));
  CHECK_FALSE(filter.Offer(true, clock.Now()));
  filter.Reset();  // after a failed read the next value is news
  CHECK(filter.Offer(true, clock.Now()));
}

TEST_CASE("a failing slave backs off, opens its breaker, is probed and comes back") {
  ManualClock clock;
  DeviceHealth health(HealthPolicy{milliseconds(100), milliseconds(400), 3, milliseconds(5000)});
  CHECK(health.ShouldPoll(clock.Now()));
  CHECK(health.OnFailure(clock.Now()) == DeviceHealth::Change::kWentDown);
  CHECK_FALSE(health.ShouldPoll(clock.Now()));
  clock.Advance(milliseconds(100));  // the first backoff is the minimum
  CHECK(health.ShouldPoll(clock.Now()));
  CHECK(health.OnFailure(clock.Now()) == DeviceHealth::Change::kNone);
  clock.Advance(milliseconds(400));  // at most the cap
  CHECK(health.ShouldPoll(clock.Now()));
  CHECK(health.OnFailure(clock.Now()) == DeviceHealth::Change::kBreakerOpened);
  CHECK(health.state() == DeviceHealth::State::kOpen);
  clock.Advance(milliseconds(4999));
  CHECK_FALSE(health.ShouldPoll(clock.Now()));
  clock.Advance(milliseconds(1));
  CHECK(health.ShouldPoll(clock.Now()));  // the probe
  CHECK(health.OnFailure(clock.Now()) == DeviceHealth::Change::kNone);  // stays open
  CHECK_FALSE(health.ShouldPoll(clock.Now()));
  clock.Advance(milliseconds(5000));
  CHECK(health.OnSuccess() == DeviceHealth::Change::kCameBack);
  CHECK(health.state() == DeviceHealth::State::kUp);
  CHECK(health.ShouldPoll(clock.Now()));
}

}  // namespace
}  // namespace ef::connectors::modbus
