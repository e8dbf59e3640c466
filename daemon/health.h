// HealthCheck: the verdict behind /healthz. The gateway is healthy when
// - ingest is up (every source connected and subscribed), and
// - the pipeline is moving: its thread committed a group, or had nothing to commit, within
//   `stall_after` (it stops beating while the store refuses or blocks its commits), and
// - the uplink, when one is configured, is moving: within `stall_after` the cloud
//   acknowledged a publish, or nothing was waiting for an acknowledgement, or it was not
//   connected. A cloud that is down is not a stall: the uplink waits, events wait on disk,
//   and that is what a store-and-forward gateway is for (edgeferry_uplink_connected says
//   so). A connection that takes publishes and acknowledges none is one.
// The verdict is a short JSON object; when unhealthy it lists the reasons.
//
// Thread-safety: SetIngestUp/SetUplinkExpected from the daemon's main loop, Check() from any
// thread (the HTTP workers). The heartbeats belong to the caller and outlive the check.
#pragma once

#include <atomic>
#include <string>

#include "core/clock.h"
#include "core/heartbeat.h"

namespace ef::daemon {

struct HealthVerdict {
  bool healthy = false;
  std::string json;  // {"status":"ok"|"unhealthy",...}
};

class HealthCheck {
 public:
  HealthCheck(const Clock& clock, const Heartbeat& pipeline, const Heartbeat& uplink,
              Clock::Duration stall_after);

  void SetIngestUp(bool up) { ingest_up_.store(up, std::memory_order_relaxed); }
  // Whether an uplink runs (none without [uplink]); while false its heartbeat is ignored.
  void SetUplinkExpected(bool expected) {
    uplink_expected_.store(expected, std::memory_order_relaxed);
  }
  HealthVerdict Check() const;

 private:
  const Clock& clock_;
  const Heartbeat& pipeline_;
  const Heartbeat& uplink_;
  const Clock::Duration stall_after_;
  std::atomic<bool> ingest_up_{false};
  std::atomic<bool> uplink_expected_{false};
};

}  // namespace ef::daemon
