#include "daemon/runtime_libraries.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

#include "uplink/mqtt_publisher.h"

namespace ef::daemon {
namespace runtime_internal {

void* OpenLibrary(const char* soname, Status* error) {
  void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    *error = Status::NotFound(std::string("cannot load ") + soname + ": " +
                              (why != nullptr ? why : "unknown error"));
  }
  return handle;
}

Status FindSymbol(void* handle, const char* soname, const char* name, void** out) {
  dlerror();  // clear a stale error
  *out = dlsym(handle, name);
  if (*out == nullptr) {
    return Status::NotFound(std::string(soname) + " has no " + name +
                            " (a different version of the library?)");
  }
  return Status::Ok();
}

void ExitUnloadable(const Status& status) {
  std::fprintf(stderr, "edgeferry: %s\n", status.message().c_str());
  std::_Exit(1);  // not exit(): other threads may be running
}

}  // namespace runtime_internal

Status LoadLibrariesFor(const DaemonConfig& config, Logger& log) {
  const bool first = LoadedMqttLibrary().empty();
  const MqttChoice choice = ChooseMqttLibrary(config);
  if (Status s = LoadMqttLibrary(choice.variant); !s.ok()) {
    if (choice.reason.empty()) return s;
    return Status::InvalidArgument(s.message() + " (for " + choice.reason + ")" +
                                   (first ? "" : ": restart edgeferry to load it"));
  }
  if (first) {
    uplink::InitMqttLibrary();  // before any client exists: this is the start of `run`
    log.Info("edgeferry", "MQTT library: " + LoadedMqttLibrary() +
                              (choice.variant == MqttVariant::kTls
                                   ? " (TLS for " + choice.reason + ")"
                                   : std::string(" (no MQTT URI uses TLS)")));
  }
  if (NeedsNatsLibrary(config)) return LoadNatsLibrary();
  return Status::Ok();
}

}  // namespace ef::daemon
