#include "core/clock_watch.h"

#include <sys/timex.h>
#include <unistd.h>

namespace ef {
namespace {
constexpr char kComponent[] = "clock";
}  // namespace

bool SystemClockSync::Synchronized() const {
  timex tx{};  // modes 0: only reads the kernel's state
  const int state = ntp_adjtime(&tx);
  if (state != -1 && state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0) return true;
  return !flag_file_.empty() && access(flag_file_.c_str(), F_OK) == 0;
}

ClockWatch::ClockWatch(const Clock& clock, const ClockSync& source, Logger& log,
                       MetricsRegistry& metrics, Clock::Duration threshold)
    : clock_(clock), source_(source), log_(log), threshold_(threshold),
      steps_(metrics.GetCounter("edgeferry_clock_steps_total",
                                "Steps of the wall clock detected (wall and monotonic clocks "
                                "diverged by a second or more).")),
      last_step_seconds_(metrics.GetGauge("edgeferry_clock_last_step_seconds",
                                          "Size of the last wall-clock step (negative: "
                                          "backward).")),
      synced_gauge_(metrics.GetGauge("edgeferry_clock_synchronized",
                                     "1 while the wall clock is synchronised to a time source.")),
      last_now_(clock.Now()), last_wall_(clock.WallNow()) {
  const bool synced = source_.Synchronized();
  synced_.store(synced, std::memory_order_relaxed);
  synced_gauge_.Set(synced ? 1 : 0);
  if (!synced) {
    log_.Warning(kComponent, "the system clock is not synchronised (neither the kernel nor "
                             "systemd-timesyncd reports an NTP sync): events get "
                             "\"clock\":\"unsynced\" in the envelope until it is");
  }
}

Clock::Duration ClockWatch::Check() {
  const Clock::TimePoint now = clock_.Now();
  const Clock::WallTime wall = clock_.WallNow();
  const Clock::Duration step = (wall - last_wall_) - (now - last_now_);
  last_now_ = now;
  last_wall_ = wall;
  RefreshSync();
  if (step < threshold_ && step > -threshold_) return Clock::Duration::zero();
  ReportStep(step);
  return step;
}

void ClockWatch::ReportStep(Clock::Duration step) {
  steps_.Add();
  last_step_seconds_.Set(std::chrono::duration<double>(step).count());
  const bool forward = step > Clock::Duration::zero();
  log_.Warning(kComponent, std::string("the wall clock stepped ") +
                               (forward ? "forward" : "backward") + " by " +
                               SecondsText(forward ? step : -step, 3) +
                               " s; durations (TTL ages, linger, backoff) are measured on the "
                               "monotonic clock and are not affected");
}

void ClockWatch::RefreshSync() {
  const bool synced = source_.Synchronized();
  if (synced_.exchange(synced, std::memory_order_relaxed) == synced) return;
  synced_gauge_.Set(synced ? 1 : 0);
  if (synced) {
    log_.Info(kComponent, "the system clock is synchronised: new events are stamped as trusted");
  } else {
    log_.Warning(kComponent, "the system clock lost its synchronisation: events get "
                             "\"clock\":\"unsynced\" in the envelope until it is back");
  }
}

}  // namespace ef
