// ServiceNotify: the service manager's notification protocol (sd_notify(3)) in a few lines,
// so that edgeferry needs no libsystemd (and its ~0.9 MB of resident libraries) for it.
//
// systemd names a datagram socket in $NOTIFY_SOCKET: a path ("/run/systemd/notify"), or a
// name in Linux's abstract namespace written with a leading '@'. A state change is one
// datagram of newline-separated KEY=VALUE lines ("READY=1", "STOPPING=1", "WATCHDOG=1",
// "STATUS=..."). Without $NOTIFY_SOCKET (not started by systemd, or Type= other than
// notify) nothing is sent. The watchdog interval comes from $WATCHDOG_USEC, and only when
// $WATCHDOG_PID is unset or names this process (as sd_watchdog_enabled(3) does).
//
// Thread-safety: both functions are reentrant (each notification opens its own socket).
#pragma once

#include <chrono>
#include <string_view>

namespace ef::daemon {

// Sends `state` to the service manager. True when sent; false when $NOTIFY_SOCKET is unset
// or unusable, or the send failed (the caller has nothing better to do than carry on).
bool NotifyServiceManager(std::string_view state);

// systemd's watchdog interval for this process, or zero when it asks for none.
std::chrono::microseconds WatchdogIntervalFromEnvironment();

}  // namespace ef::daemon
