// `edgeferry run`: builds the object graph from a DaemonConfig, runs until SIGTERM/SIGINT,
// then shuts down in dependency order so that nothing accepted is lost. SIGHUP reloads the
// configuration (the uplink restarts with it; an invalid file changes nothing).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/status.h"
#include "daemon/daemon_config.h"

namespace ef::daemon {

// Loads the configuration into its argument; returns the errors (empty on success).
using ConfigLoader = std::function<std::vector<std::string>(DaemonConfig*)>;

// Loads the shared libraries a configuration needs (the edgeferry executable's is
// LoadLibrariesFor in daemon/runtime_libraries.h). Called once the configuration is loaded,
// before anything is built, and at each reload with the configuration the reload would run;
// an error fails the start (exit 1) or refuses the reload.
using LibraryLoader = std::function<Status(const DaemonConfig&, Logger&)>;

// Returns the process exit code: 0 after a clean stop, 1 when start-up failed.
// REQUIRES: called from the main thread before any other thread exists (it blocks the
// termination signals so that every thread it starts inherits the mask).
int RunDaemon(const ConfigLoader& load, const LibraryLoader& libraries, Logger& log);

}  // namespace ef::daemon
