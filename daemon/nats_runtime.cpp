// libnats, loaded at run time (see daemon/runtime_libraries.h): the definitions of the NATS
// and JetStream functions ef_uplink calls, and the loader. To call a new function, add one
// line to the table; the compiler checks it against <nats/nats.h>.
#include <nats/nats.h>

#include <atomic>
#include <mutex>

#include "daemon/runtime_libraries.h"

// return type, name, (parameters), (arguments)
#define EF_NATS_FUNCTIONS(X)                                                                  \
  X(void, jsCtx_Destroy, (jsCtx * js), (js))                                                  \
  X(natsStatus, jsOptions_Init, (jsOptions * o), (o))                                         \
  X(natsStatus, jsPubOptions_Init, (jsPubOptions * o), (o))                                   \
  X(natsStatus, jsStreamConfig_Init, (jsStreamConfig * c), (c))                               \
  X(void, jsStreamInfo_Destroy, (jsStreamInfo * si), (si))                                    \
  X(natsStatus, js_AddStream,                                                                 \
    (jsStreamInfo * *si, jsCtx * js, jsStreamConfig * c, jsOptions * o, jsErrCode * e),       \
    (si, js, c, o, e))                                                                        \
  X(natsStatus, js_GetStreamInfo,                                                             \
    (jsStreamInfo * *si, jsCtx * js, const char* s, jsOptions* o, jsErrCode* e),             \
    (si, js, s, o, e))                                                                        \
  X(natsStatus, js_PublishAsyncGetPendingList, (natsMsgList * l, jsCtx * js), (l, js))        \
  X(natsStatus, js_PublishMsgAsync, (jsCtx * js, natsMsg * *m, jsPubOptions * o), (js, m, o)) \
  X(void, natsConnection_Close, (natsConnection * nc), (nc))                                  \
  X(natsStatus, natsConnection_Connect, (natsConnection * *nc, natsOptions * o), (nc, o))     \
  X(void, natsConnection_Destroy, (natsConnection * nc), (nc))                                \
  X(natsStatus, natsConnection_GetConnectedUrl, (natsConnection * nc, char* b, size_t n),     \
    (nc, b, n))                                                                               \
  X(natsStatus, natsConnection_JetStream, (jsCtx * *js, natsConnection * nc, jsOptions * o),  \
    (js, nc, o))                                                                              \
  X(natsConnStatus, natsConnection_Status, (natsConnection * nc), (nc))                       \
  X(void, natsMsgList_Destroy, (natsMsgList * l), (l))                                        \
  X(natsStatus, natsMsg_Create,                                                               \
    (natsMsg * *m, const char* subj, const char* reply, const char* data, int len),           \
    (m, subj, reply, data, len))                                                              \
  X(void, natsMsg_Destroy, (natsMsg * m), (m))                                                \
  X(natsStatus, natsOptions_Create, (natsOptions * *o), (o))                                  \
  X(void, natsOptions_Destroy, (natsOptions * o), (o))                                        \
  X(natsStatus, natsOptions_LoadCATrustedCertificates, (natsOptions * o, const char* f),      \
    (o, f))                                                                                   \
  X(natsStatus, natsOptions_LoadCertificatesChain,                                            \
    (natsOptions * o, const char* certs, const char* key), (o, certs, key))                   \
  X(natsStatus, natsOptions_SetClosedCB,                                                      \
    (natsOptions * o, natsConnectionHandler cb, void* c), (o, cb, c))                         \
  X(natsStatus, natsOptions_SetDisconnectedCB,                                                \
    (natsOptions * o, natsConnectionHandler cb, void* c), (o, cb, c))                         \
  X(natsStatus, natsOptions_SetMaxPingsOut, (natsOptions * o, int n), (o, n))                 \
  X(natsStatus, natsOptions_SetMaxReconnect, (natsOptions * o, int n), (o, n))                \
  X(natsStatus, natsOptions_SetNKeyFromSeed,                                                  \
    (natsOptions * o, const char* pub, const char* seed), (o, pub, seed))                     \
  X(natsStatus, natsOptions_SetName, (natsOptions * o, const char* name), (o, name))          \
  X(natsStatus, natsOptions_SetNoRandomize, (natsOptions * o, bool b), (o, b))                \
  X(natsStatus, natsOptions_SetPingInterval, (natsOptions * o, int64_t ms), (o, ms))          \
  X(natsStatus, natsOptions_SetReconnectJitter, (natsOptions * o, int64_t j, int64_t jt),     \
    (o, j, jt))                                                                               \
  X(natsStatus, natsOptions_SetReconnectWait, (natsOptions * o, int64_t ms), (o, ms))         \
  X(natsStatus, natsOptions_SetReconnectedCB,                                                 \
    (natsOptions * o, natsConnectionHandler cb, void* c), (o, cb, c))                         \
  X(natsStatus, natsOptions_SetRetryOnFailedConnect,                                          \
    (natsOptions * o, bool retry, natsConnectionHandler cb, void* c), (o, retry, cb, c))      \
  X(natsStatus, natsOptions_SetSecure, (natsOptions * o, bool b), (o, b))                     \
  X(natsStatus, natsOptions_SetServers, (natsOptions * o, const char** s, int n), (o, s, n))  \
  X(natsStatus, natsOptions_SetUserCredentialsFromFiles,                                      \
    (natsOptions * o, const char* chain, const char* seed), (o, chain, seed))                 \
  X(natsStatus, natsOptions_SetUserInfo, (natsOptions * o, const char* u, const char* p),     \
    (o, u, p))                                                                                \
  X(natsStatus, natsOptions_SkipServerVerification, (natsOptions * o, bool b), (o, b))        \
  X(const char*, natsStatus_GetText, (natsStatus s), (s))                                     \
  X(const char*, nats_GetLastError, (natsStatus * s), (s))                                    \
  X(const char*, nats_GetVersion, (void), ())

namespace ef::daemon {
namespace {

struct NatsApi {
#define EF_POINTER(ret, name, params, args) decltype(&::name) name = nullptr;
  EF_NATS_FUNCTIONS(EF_POINTER)
#undef EF_POINTER
};

std::mutex g_mu;
NatsApi g_table;  // filled once, under g_mu, before g_api points to it
std::atomic<const NatsApi*> g_api{nullptr};

Status Open() {
  Status s;
  void* handle = runtime_internal::OpenLibrary(kNatsSoname, &s);
  if (handle == nullptr) return s;
  NatsApi api;
#define EF_RESOLVE(ret, name, params, args) \
  if (s.ok()) s = runtime_internal::Resolve(handle, kNatsSoname, #name, &api.name);
  EF_NATS_FUNCTIONS(EF_RESOLVE)
#undef EF_RESOLVE
  if (!s.ok()) return s;
  g_table = api;
  g_api.store(&g_table, std::memory_order_release);
  return s;
}

const NatsApi& Api() {
  if (const NatsApi* api = g_api.load(std::memory_order_acquire)) return *api;
  if (Status s = LoadNatsLibrary(); !s.ok()) runtime_internal::ExitUnloadable(s);
  return *g_api.load(std::memory_order_acquire);
}

}  // namespace

Status LoadNatsLibrary() {
  std::lock_guard lock(g_mu);
  return g_api.load(std::memory_order_relaxed) == nullptr ? Open() : Status::Ok();
}

}  // namespace ef::daemon

// The functions themselves: hidden, so that the dlopen'ed libnats still calls its own.
#define EF_FORWARD(ret, name, params, args)                          \
  extern "C" __attribute__((visibility("hidden"))) ret name params { \
    return ef::daemon::Api().name args;                              \
  }
EF_NATS_FUNCTIONS(EF_FORWARD)
#undef EF_FORWARD
