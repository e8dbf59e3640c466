// Which shared libraries a process has mapped, and which a binary links (its dependency
// closure, as ld.so resolves it): for tests that check what edgeferry loads at run time.
// Libraries are named by their file name up to ".so" ("libssl.so", "libpaho-mqtt3a.so"),
// so that versions and symlinks do not matter.
//
// Thread-safety: reentrant.
#pragma once

#include <sys/types.h>

#include <optional>
#include <set>
#include <string>

#include "tests/support/wait.h"

namespace ef::testkit {

// The shared libraries in /proc/PID/maps; empty if the process is gone.
std::set<std::string> MappedLibraries(pid_t pid);

// The shared libraries `binary` links, directly or through another (`ldd BINARY`);
// std::nullopt if ldd failed or did not finish by `deadline`.
std::optional<std::set<std::string>> LinkedLibraries(const std::string& binary,
                                                     Deadline deadline);

}  // namespace ef::testkit
