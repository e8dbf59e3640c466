// `edgeferry run`: builds the object graph from a DaemonConfig, runs until SIGTERM/SIGINT,
// then shuts down in dependency order so that nothing accepted is lost.
#pragma once

#include "core/log.h"
#include "daemon/daemon_config.h"

namespace ef::daemon {

// Returns the process exit code: 0 after a clean stop, 1 when start-up failed.
// REQUIRES: called from the main thread before any other thread exists (it blocks the
// termination signals so that every thread it starts inherits the mask).
int RunDaemon(const DaemonConfig& config, Logger& log);

}  // namespace ef::daemon
