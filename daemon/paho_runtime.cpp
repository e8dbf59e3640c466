// Paho's asynchronous client, loaded at run time (see daemon/runtime_libraries.h): the
// definitions of the MQTTAsync_* functions ef_connectors and ef_uplink call, and the loader.
// To call a new Paho function, add one line to the table; the compiler checks it against
// <MQTTAsync.h>, and `nm -u` on the static libraries lists what they call.
#include <MQTTAsync.h>

#include <atomic>
#include <mutex>

#include "daemon/runtime_libraries.h"

// return type, name, (parameters), (arguments)
#define EF_PAHO_FUNCTIONS(X)                                                                   \
  X(int, MQTTAsync_connect, (MQTTAsync h, const MQTTAsync_connectOptions* o), (h, o))          \
  X(int, MQTTAsync_createWithOptions,                                                          \
    (MQTTAsync * h, const char* uri, const char* id, int type, void* ctx,                      \
     MQTTAsync_createOptions* o),                                                              \
    (h, uri, id, type, ctx, o))                                                                \
  X(void, MQTTAsync_destroy, (MQTTAsync * h), (h))                                             \
  X(int, MQTTAsync_disconnect, (MQTTAsync h, const MQTTAsync_disconnectOptions* o), (h, o))    \
  X(void, MQTTAsync_free, (void* p), (p))                                                      \
  X(void, MQTTAsync_freeMessage, (MQTTAsync_message * *m), (m))                                \
  X(MQTTAsync_nameValue*, MQTTAsync_getVersionInfo, (void), ())                                \
  X(void, MQTTAsync_global_init, (MQTTAsync_init_options * o), (o))                            \
  X(int, MQTTAsync_sendMessage,                                                                \
    (MQTTAsync h, const char* topic, const MQTTAsync_message* m, MQTTAsync_responseOptions* r), \
    (h, topic, m, r))                                                                          \
  X(int, MQTTAsync_setCallbacks,                                                               \
    (MQTTAsync h, void* ctx, MQTTAsync_connectionLost* cl, MQTTAsync_messageArrived* ma,       \
     MQTTAsync_deliveryComplete* dc),                                                          \
    (h, ctx, cl, ma, dc))                                                                      \
  X(int, MQTTAsync_setConnectionLostCallback,                                                  \
    (MQTTAsync h, void* ctx, MQTTAsync_connectionLost* cl), (h, ctx, cl))                      \
  X(const char*, MQTTAsync_strerror, (int code), (code))                                       \
  X(int, MQTTAsync_subscribeMany,                                                              \
    (MQTTAsync h, int n, char* const* topics, const int* qos, MQTTAsync_responseOptions* r),    \
    (h, n, topics, qos, r))

namespace ef::daemon {
namespace {

struct PahoApi {
#define EF_POINTER(ret, name, params, args) decltype(&::name) name = nullptr;
  EF_PAHO_FUNCTIONS(EF_POINTER)
#undef EF_POINTER
};

std::mutex g_mu;
PahoApi g_table;                 // filled once, under g_mu, before g_api points to it
MqttVariant g_variant = MqttVariant::kPlain;
std::atomic<const PahoApi*> g_api{nullptr};

const char* SonameOf(MqttVariant variant) {
  return variant == MqttVariant::kTls ? kPahoTlsSoname : kPahoPlainSoname;
}

Status Open(MqttVariant variant) {
  const char* soname = SonameOf(variant);
  Status s;
  void* handle = runtime_internal::OpenLibrary(soname, &s);
  if (handle == nullptr) return s;
  PahoApi api;
#define EF_RESOLVE(ret, name, params, args) \
  if (s.ok()) s = runtime_internal::Resolve(handle, soname, #name, &api.name);
  EF_PAHO_FUNCTIONS(EF_RESOLVE)
#undef EF_RESOLVE
  if (!s.ok()) return s;  // the handle stays open: harmless, and dlclose could run its code
  g_table = api;
  g_variant = variant;
  g_api.store(&g_table, std::memory_order_release);
  return s;
}

const PahoApi& Api() {
  if (const PahoApi* api = g_api.load(std::memory_order_acquire)) return *api;
  if (Status s = LoadMqttLibrary(MqttVariant::kTls); !s.ok()) runtime_internal::ExitUnloadable(s);
  return *g_api.load(std::memory_order_acquire);
}

}  // namespace

Status LoadMqttLibrary(MqttVariant variant) {
  std::lock_guard lock(g_mu);
  if (g_api.load(std::memory_order_relaxed) == nullptr) return Open(variant);
  if (variant == MqttVariant::kTls && g_variant == MqttVariant::kPlain) {
    return Status::InvalidArgument(std::string("TLS needs ") + kPahoTlsSoname +
                                   ", but this process loaded " + kPahoPlainSoname);
  }
  return Status::Ok();
}

std::string LoadedMqttLibrary() {
  std::lock_guard lock(g_mu);
  return g_api.load(std::memory_order_relaxed) == nullptr ? "" : SonameOf(g_variant);
}

}  // namespace ef::daemon

// The functions themselves: hidden, so that the dlopen'ed Paho still calls its own.
#define EF_FORWARD(ret, name, params, args)                      \
  extern "C" __attribute__((visibility("hidden"))) ret name params { \
    return ef::daemon::Api().name args;                          \
  }
EF_PAHO_FUNCTIONS(EF_FORWARD)
#undef EF_FORWARD
