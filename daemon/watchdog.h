// Watchdog: systemd's WatchdogSec= for edgeferry. While the service manager asks for keep-alive
// pings (it sets WATCHDOG_USEC), the daemon's main loop calls Tick() every 100 ms; Tick sends
// WATCHDOG=1 every half interval, but only while each worker thread (the pipeline, and the
// uplink when one runs) showed within the last interval that it is alive: its loop turned,
// even if only to retry a commit that a backpressure bound refuses. A thread stuck for good
// (blocked in I/O, deadlocked) stops beating, the pings stop, and systemd restarts the service
// after WatchdogSec (Restart=on-failure). The first missed ping is logged with the reason.
//
// Thread-safety: one owner thread (the main loop); the heartbeats are beaten by the workers.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/heartbeat.h"
#include "core/log.h"

namespace ef::daemon {

class Watchdog {
 public:
  using Ping = std::function<void()>;
  // `interval`: systemd's watchdog interval; zero turns the watchdog off.
  Watchdog(const Clock& clock, Logger& log, Clock::Duration interval, Ping ping);

  // The interval systemd asks for (WATCHDOG_USEC, for this process), or zero.
  static Clock::Duration IntervalFromEnvironment();

  // REQUIRES: `pipeline` outlives the watchdog; `uplink` may be null (no uplink running).
  void Tick(const Heartbeat& pipeline, const Heartbeat* uplink);
  // Why the last Tick withheld a ping; empty when it pinged or was not due.
  const std::string& withheld() const { return withheld_; }

 private:
  // Empty when `beat` is recent enough, else why not.
  std::string Stale(const char* thread, const Heartbeat& beat, Clock::TimePoint now) const;

  const Clock& clock_;
  Logger& log_;
  const Clock::Duration interval_;  // zero: off; a thread silent this long is stuck
  const Clock::Duration half_;      // between pings
  Ping ping_;
  Clock::TimePoint next_{};
  std::string withheld_;
};

}  // namespace ef::daemon
