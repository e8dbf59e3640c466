#include "daemon/watchdog.h"

#include "daemon/service_notify.h"

namespace ef::daemon {
namespace {
constexpr char kComponent[] = "watchdog";
}

Watchdog::Watchdog(const Clock& clock, Logger& log, Clock::Duration interval, Ping ping)
    : clock_(clock), log_(log), interval_(interval), half_(interval / 2),
      ping_(std::move(ping)) {}

Clock::Duration Watchdog::IntervalFromEnvironment() {
  return WatchdogIntervalFromEnvironment();
}

std::string Watchdog::Stale(const char* thread, const Heartbeat& beat,
                            Clock::TimePoint now) const {
  const std::optional<Clock::Duration> age = beat.Age(now);
  if (age && *age <= interval_) return std::string();
  const std::string since =
      age ? std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(*age).count()) +
                " ms"
          : std::string("ever");
  return std::string("the ") + thread + " thread has not turned for " + since;
}

void Watchdog::Tick(const Heartbeat& pipeline, const Heartbeat* uplink) {
  if (interval_ == Clock::Duration::zero()) return;
  const Clock::TimePoint now = clock_.Now();
  if (now < next_) return;
  next_ = now + half_;
  std::string stale = Stale("pipeline", pipeline, now);
  if (stale.empty() && uplink != nullptr) stale = Stale("uplink", *uplink, now);
  if (stale.empty()) {
    withheld_.clear();
    ping_();
    return;
  }
  if (withheld_.empty()) {
    log_.Error(kComponent, "not pinging systemd's watchdog: " + stale +
                               "; the service will be restarted if this goes on");
  }
  withheld_ = stale;
}

}  // namespace ef::daemon
