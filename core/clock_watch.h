// Whether the wall clock can be trusted, and noticing when it jumps.
//
// Boards without a battery-backed clock boot with a stale time (the last one saved, or 1970)
// until NTP sets it, often by days in one step; a bad time source can step it back. edgeferry
// measures every duration (TTL ages, batch linger, backoff, drain rates, stage timers) on the
// monotonic clock, so a step changes none of them; the wall clock only stamps events.
//
// ClockSync answers whether the wall clock is synchronised to a time source now. Events
// stamped while it is not carry "clock":"unsynced" in the cloud envelope, so the cloud knows
// which timestamps to distrust. SystemClockSync asks the kernel (ntp_adjtime(): an NTP daemon
// that disciplines the clock clears STA_UNSYNC) and systemd-timesyncd (its flag file
// /run/systemd/timesync/synchronized); either one saying so is enough. AssumedClockSync always
// says yes (`[gateway] clock_sync = "assume_synced"`: a real-time clock, no NTP daemon).
//
// ClockWatch detects steps: between two checks the wall clock should advance by what the
// monotonic clock advanced; a difference of `threshold` or more is a step. Each step is logged
// once as a warning with its size and counted in the registry: edgeferry_clock_steps_total,
// edgeferry_clock_last_step_seconds (signed: negative = backward). It also keeps the sync
// state (edgeferry_clock_synchronized, 1 or 0; changes are logged) for Synchronized().
//
// Thread-safety: ClockSync implementations may be called from any thread. ClockWatch::Check()
// belongs to one thread (the daemon's main loop); Synchronized() may be called from any thread
// (it returns the state the last Check() saw).
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <utility>

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"

namespace ef {

class ClockSync {
 public:
  virtual ~ClockSync() = default;
  virtual bool Synchronized() const = 0;
};

class SystemClockSync final : public ClockSync {
 public:
  explicit SystemClockSync(std::string flag_file = "/run/systemd/timesync/synchronized")
      : flag_file_(std::move(flag_file)) {}
  bool Synchronized() const override;

 private:
  const std::string flag_file_;
};

class AssumedClockSync final : public ClockSync {
 public:
  bool Synchronized() const override { return true; }
};

class ClockWatch final : public ClockSync {
 public:
  static constexpr std::chrono::seconds kDefaultThreshold{1};

  // Takes the first reading of both clocks and of `source` (logged when not synchronised).
  ClockWatch(const Clock& clock, const ClockSync& source, Logger& log, MetricsRegistry& metrics,
             Clock::Duration threshold = kDefaultThreshold);

  // Compares both clocks with the last check and refreshes the sync state. Returns the step
  // (how far the wall clock jumped: positive forward, negative backward), or zero.
  Clock::Duration Check();
  bool Synchronized() const override { return synced_.load(std::memory_order_relaxed); }

 private:
  void ReportStep(Clock::Duration step);
  void RefreshSync();

  const Clock& clock_;
  const ClockSync& source_;
  Logger& log_;
  const Clock::Duration threshold_;
  Counter& steps_;
  Gauge& last_step_seconds_;
  Gauge& synced_gauge_;
  std::atomic<bool> synced_{true};
  Clock::TimePoint last_now_;
  Clock::WallTime last_wall_;
};

}  // namespace ef
