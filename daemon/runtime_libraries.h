// Paho and libnats, loaded at run time by the edgeferry executable (and only by it).
//
// ef_connectors and ef_uplink include <MQTTAsync.h> and <nats/nats.h> and call the libraries
// as usual, but are not linked against them. The executable defines every function they call
// (paho_runtime.cpp, nats_runtime.cpp), with hidden visibility so that nothing interposes the
// library's calls to itself; each forwards to the function dlsym found in the library that
// this module dlopen'ed (RTLD_NOW | RTLD_LOCAL: every symbol is resolved at load, a missing
// one is an error then, not a crash later). An idle gateway with a plain MQTT source thus
// never maps libssl/libcrypto (about 1.7 MB of resident memory).
//
// `edgeferry run` loads what its configuration needs before it builds anything
// (LoadLibrariesFor). Any other use of a function (`edgeferry version`) loads the default on
// first call: libpaho-mqtt3as, libnats; if that fails, the process prints why and exits 1.
//
// Thread-safety: every function is thread-safe; a library once loaded stays loaded.
// The loaded libraries are process-wide state, like the libraries themselves.
#pragma once

#include <string>

#include "core/log.h"
#include "core/status.h"
#include "daemon/daemon_config.h"
#include "daemon/library_choice.h"

namespace ef::daemon {

inline constexpr char kPahoPlainSoname[] = "libpaho-mqtt3a.so.1";
inline constexpr char kPahoTlsSoname[] = "libpaho-mqtt3as.so.1";
inline constexpr char kNatsSoname[] = "libnats.so.3.4";

// Loads the Paho build for `variant` unless one is loaded. Succeeds when the loaded build
// serves `variant` (the TLS build serves both); fails when only the plain one is loaded and
// TLS is asked for (a process never maps both). Errors name the library and what is missing.
Status LoadMqttLibrary(MqttVariant variant);
// The SONAME of the Paho build loaded, or "" if none is yet.
std::string LoadedMqttLibrary();

// Loads libnats unless it is loaded.
Status LoadNatsLibrary();

// `edgeferry run`'s LibraryLoader (daemon/run.h): loads the Paho build and libnats that
// `config` needs. At start it also sets Paho up for the process (uplink::InitMqttLibrary)
// and logs what it loaded, once; at a reload it fails if the configuration now needs TLS
// and the process loaded the plain build (a restart is needed then).
Status LoadLibrariesFor(const DaemonConfig& config, Logger& log);

namespace runtime_internal {

// dlopen(soname, RTLD_NOW | RTLD_LOCAL); the handle, or nullptr with *error set.
void* OpenLibrary(const char* soname, Status* error);
// dlsym(handle, name) into *out; an error naming both when the library lacks it.
Status FindSymbol(void* handle, const char* soname, const char* name, void** out);
// Prints "edgeferry: <status>" to stderr and exits 1: a function was called lazily and its
// library cannot be loaded, so there is nothing it could return.
[[noreturn]] void ExitUnloadable(const Status& status);

// Resolves `name` into the function pointer *out.
template <typename Fn>
Status Resolve(void* handle, const char* soname, const char* name, Fn* out) {
  void* symbol = nullptr;
  Status s = FindSymbol(handle, soname, name, &symbol);
  if (s.ok()) *out = reinterpret_cast<Fn>(symbol);
  return s;
}

}  // namespace runtime_internal
}  // namespace ef::daemon
