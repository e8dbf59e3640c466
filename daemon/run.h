// `edgeferry run`: builds the object graph from a DaemonConfig, runs until SIGTERM/SIGINT,
// then shuts down in dependency order so that nothing accepted is lost. SIGHUP reloads the
// configuration (the uplink restarts with it; an invalid file changes nothing).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/log.h"
#include "daemon/daemon_config.h"

namespace ef::daemon {

// Loads the configuration into its argument; returns the errors (empty on success).
using ConfigLoader = std::function<std::vector<std::string>(DaemonConfig*)>;

// Returns the process exit code: 0 after a clean stop, 1 when start-up failed.
// REQUIRES: called from the main thread before any other thread exists (it blocks the
// termination signals so that every thread it starts inherits the mask).
int RunDaemon(const ConfigLoader& load, Logger& log);

}  // namespace ef::daemon
