// StatusSummary: the compact summary the gateway publishes on its status topic every
// `[metrics] summary_interval_s`, so a fleet dashboard needs no access to the gateway:
//
//   {"client":"edgeferry-gw-1","state":"online","summary":{"version":"0.1.0",
//    "libraries":["Paho MQTT C 1.3.11","SQLite 3.40.1"],"uptime_s":3600,
//    "healthy":true,"queue_events":12,"queue_bytes":3400,"queue_oldest_age_s":0.4,
//    "received_per_s":50.1,"uplinked_per_s":50.0,"received":180000,"committed":180000,
//    "uplinked":179988,"dropped":0,"rejected":0,"expired":0,"dead_lettered":0,
//    "devices_silent":1}}
//
// "client" and "state" come first, as in the birth message, so a consumer of the status
// topic reads every message the same way. Rates are over the time since the previous summary.
//
// Thread-safety: one owner thread (the daemon's main loop).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"

namespace ef::daemon {

class StatusSummary {
 public:
  // `every` of zero: never due.
  StatusSummary(const Clock& clock, std::string client_id, Clock::Duration every);

  bool Due() const;
  // The summary of `families` (a fresh snapshot); starts the next interval.
  std::string Build(const std::vector<MetricFamily>& families, bool healthy);

 private:
  const Clock& clock_;
  const std::string client_id_;
  const Clock::Duration every_;
  const Clock::TimePoint started_;
  Clock::TimePoint next_;
  Clock::TimePoint last_at_;
  uint64_t last_received_ = 0, last_uplinked_ = 0;
};

}  // namespace ef::daemon
