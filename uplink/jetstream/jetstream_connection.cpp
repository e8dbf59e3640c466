// JetStreamPublisher, part 1: the connection (servers, credentials, TLS, reconnects) and the
// setup thread that finds or creates the stream after every (re)connect.
#include <vector>

#include "uplink/jetstream/jetstream_impl.h"

namespace ef::uplink {
namespace {
constexpr char kComponent[] = "uplink";
constexpr int64_t kApiTimeoutMs = 2000;   // one JetStream API request (stream info, create)
constexpr std::chrono::seconds kRecheckEvery{2};  // while the stream is not ready

std::string Text(natsStatus s) { return natsStatus_GetText(s); }

Status Fail(const std::string& what, natsStatus s) {
  std::string detail = Text(s);
  if (const char* last = nats_GetLastError(nullptr); last != nullptr && *last != '\0') {
    detail += ": " + std::string(last);
  }
  return Status::InvalidArgument("jetstream uplink: " + what + ": " + detail);
}

void Connected(natsConnection*, void* closure) {
  static_cast<JetStreamPublisher::Impl*>(closure)->OnConnected(false);
}
void Reconnected(natsConnection*, void* closure) {
  static_cast<JetStreamPublisher::Impl*>(closure)->OnConnected(true);
}
void Disconnected(natsConnection*, void* closure) {
  static_cast<JetStreamPublisher::Impl*>(closure)->OnDisconnected();
}
// libnats runs connection callbacks on its own thread, in order: the closed callback comes
// after the disconnected one that our own Close() causes. Close() waits for it, so that no
// callback touches the publisher after it is gone.
void Closed(natsConnection*, void* closure) {
  auto* impl = static_cast<JetStreamPublisher::Impl*>(closure);
  std::lock_guard lock(impl->mu);
  impl->closed = true;
  impl->cv.notify_all();  // under the lock: Close() cannot go on (and free mu) before we leave
}
void AckHandler(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error, void* closure) {
  static_cast<JetStreamPublisher::Impl*>(closure)->OnAck(msg, ack, error);
}

// Credentials and TLS, each only when configured.
natsStatus Secure(natsOptions* o, const JetStreamSettings& s) {
  natsStatus st = NATS_OK;
  if (!s.username.empty()) st = natsOptions_SetUserInfo(o, s.username.c_str(), s.password.c_str());
  if (st == NATS_OK && !s.js.nkey_seed_file.empty()) {
    st = natsOptions_SetNKeyFromSeed(o, s.js.nkey.c_str(), s.js.nkey_seed_file.c_str());
  }
  if (st == NATS_OK && !s.js.creds_file.empty()) {
    st = natsOptions_SetUserCredentialsFromFiles(o, s.js.creds_file.c_str(), nullptr);
  }
  const bool tls = !s.ca_file.empty() || !s.cert_file.empty();
  if (st == NATS_OK && tls) st = natsOptions_SetSecure(o, true);
  if (st == NATS_OK && !s.ca_file.empty()) {
    st = natsOptions_LoadCATrustedCertificates(o, s.ca_file.c_str());
  }
  if (st == NATS_OK && !s.cert_file.empty()) {
    st = natsOptions_LoadCertificatesChain(o, s.cert_file.c_str(), s.key_file.c_str());
  }
  if (st == NATS_OK && !s.verify_server) st = natsOptions_SkipServerVerification(o, true);
  return st;
}

natsStatus Configure(natsOptions* o, JetStreamPublisher::Impl* impl) {
  const JetStreamSettings& s = impl->settings;
  std::vector<const char*> servers;
  for (const std::string& url : s.js.servers) servers.push_back(url.c_str());
  const std::string name = "edgeferry-" + s.gateway_id;
  natsStatus st = natsOptions_SetServers(o, servers.data(), static_cast<int>(servers.size()));
  if (st == NATS_OK) st = natsOptions_SetName(o, name.c_str());
  if (st == NATS_OK) st = natsOptions_SetNoRandomize(o, true);  // the configured order
  if (st == NATS_OK) st = natsOptions_SetMaxReconnect(o, -1);   // never give up
  if (st == NATS_OK) st = natsOptions_SetReconnectWait(o, 500);
  if (st == NATS_OK) st = natsOptions_SetReconnectJitter(o, 100, 1000);
  if (st == NATS_OK) st = natsOptions_SetPingInterval(o, 5000);
  if (st == NATS_OK) st = natsOptions_SetMaxPingsOut(o, 2);
  if (st == NATS_OK) st = natsOptions_SetRetryOnFailedConnect(o, true, Connected, impl);
  if (st == NATS_OK) st = natsOptions_SetReconnectedCB(o, Reconnected, impl);
  if (st == NATS_OK) st = natsOptions_SetDisconnectedCB(o, Disconnected, impl);
  if (st == NATS_OK) st = natsOptions_SetClosedCB(o, Closed, impl);
  if (st == NATS_OK) st = Secure(o, s);
  return st;
}

}  // namespace

Status JetStreamPublisher::Impl::Open() {
  natsStatus st = natsOptions_Create(&options);
  if (st != NATS_OK) return Fail("cannot create options", st);
  if (st = Configure(options, this); st != NATS_OK) return Fail("bad connection settings", st);
  st = natsConnection_Connect(&connection, options);
  if (st == NATS_OK) OnConnected(false);
  if (st != NATS_OK && st != NATS_NOT_YET_CONNECTED) return Fail("cannot connect", st);
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = kApiTimeoutMs;
  jo.PublishAsync.AckHandler = AckHandler;
  jo.PublishAsync.AckHandlerClosure = this;
  // Above the forwarder's window, so that a publish never stalls (blocks) in libnats.
  jo.PublishAsync.MaxPending = static_cast<int64_t>(settings.max_inflight) + 64;
  if (st = natsConnection_JetStream(&js, connection, &jo); st != NATS_OK) {
    return Fail("cannot create the JetStream context", st);
  }
  setup = std::thread([this] { SetupLoop(); });
  return Status::Ok();
}

void JetStreamPublisher::Impl::OnConnected(bool reconnected) {
  std::lock_guard lock(mu);
  if (reconnected) log.Info(kComponent, "reconnected to " + ConnectedUrl());
  duplicates = 0;
  check_stream = true;
  cv.notify_all();
}

void JetStreamPublisher::Impl::OnDisconnected() {
  stream_ready = false;
  std::lock_guard lock(mu);
  if (stopping) return;  // our own Close()
  log.Warning(kComponent, "connection to cloud lost (NATS); reconnecting");
}

std::string JetStreamPublisher::Impl::ConnectedUrl() {
  char url[256] = {};
  if (natsConnection_GetConnectedUrl(connection, url, sizeof(url)) != NATS_OK) return "?";
  return url;
}

void JetStreamPublisher::Impl::SetupLoop() {
  std::unique_lock lock(mu);
  while (!stopping) {
    const bool look = std::exchange(check_stream, false) || !stream_ready;
    if (look && connection != nullptr &&
        natsConnection_Status(connection) == NATS_CONN_STATUS_CONNECTED) {
      lock.unlock();
      const bool ready = CheckStream();
      lock.lock();
      if (ready && !stream_ready.exchange(true)) {
        log.Info(kComponent, "connected to cloud (" + ConnectedUrl() + ", JetStream stream '" +
                                 settings.js.stream + "')");
      }
    }
    cv.wait_for(lock, kRecheckEvery, [&] { return stopping || check_stream; });
  }
}

bool JetStreamPublisher::Impl::CheckStream() {
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus st = js_GetStreamInfo(&info, js, settings.js.stream.c_str(), nullptr, &code);
  if (st == NATS_OK) {
    jsStreamInfo_Destroy(info);
    stream_missing = false;
    return true;
  }
  if (st != NATS_NOT_FOUND) {
    log.Debug(kComponent, "JetStream not ready yet (" + Text(st) + ")");
    return false;
  }
  if (!settings.js.create_stream) {
    if (!stream_missing.exchange(true)) {
      log.Error(kComponent, "JetStream stream '" + settings.js.stream + "' does not exist and "
                            "create_stream is false: events stay queued until it exists");
    }
    return false;
  }
  const JetStreamConfig& c = settings.js;
  std::vector<const char*> subjects;
  for (const std::string& s : c.subjects) subjects.push_back(s.c_str());
  if (subjects.empty()) subjects.push_back(settings.subject_filter.c_str());
  jsStreamConfig sc;
  jsStreamConfig_Init(&sc);
  sc.Name = c.stream.c_str();
  sc.Subjects = subjects.data();
  sc.SubjectsLen = static_cast<int>(subjects.size());
  sc.Replicas = c.replicas;
  sc.Storage = c.storage == JetStreamStorage::kMemory ? js_MemoryStorage : js_FileStorage;
  sc.Duplicates = c.duplicate_window_s * 1'000'000'000;  // nanoseconds
  st = js_AddStream(&info, js, &sc, nullptr, &code);
  if (st != NATS_OK) {
    log.Warning(kComponent, "cannot create JetStream stream '" + c.stream + "': " + Text(st) +
                                " (error code " + std::to_string(code) + "); retrying");
    return false;
  }
  jsStreamInfo_Destroy(info);
  log.Info(kComponent, "created JetStream stream '" + c.stream + "' (subjects '" +
                           subjects.front() + "', " + std::to_string(c.replicas) +
                           " replica(s), duplicate window " +
                           std::to_string(c.duplicate_window_s) + " s)");
  return true;
}

void JetStreamPublisher::Impl::Close() {
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  cv.notify_all();
  if (setup.joinable()) setup.join();
  stream_ready = false;
  // Take back what libnats still holds, then close: no ack handler runs after this.
  std::unordered_map<natsMsg*, Done> left;
  bool published = false;
  {
    std::lock_guard lock(mu);
    published = !pending.empty();
  }
  // libnats 3.4.1 crashes in js_PublishAsyncGetPendingList on a context that never published
  // asynchronously (its table of pending acks does not exist yet): a stop before the first
  // publish, e.g. while the stream is missing. With nothing of ours pending, there is nothing
  // to take back anyway.
  if (js != nullptr && published) {
    natsMsgList list = {};
    if (js_PublishAsyncGetPendingList(&list, js) == NATS_OK) {
      std::lock_guard lock(mu);
      for (int i = 0; i < list.Count; ++i) {
        if (auto it = pending.find(list.Msgs[i]); it != pending.end()) {
          left.emplace(it->first, std::move(it->second));
          pending.erase(it);
        }
      }
      natsMsgList_Destroy(&list);
    }
  }
  if (connection != nullptr) {
    natsConnection_Close(connection);
    std::unique_lock lock(mu);
    cv.wait_for(lock, kClosedWait, [this] { return closed; });
  }
  if (js != nullptr) jsCtx_Destroy(js);
  if (connection != nullptr) natsConnection_Destroy(connection);
  if (options != nullptr) natsOptions_Destroy(options);
  js = nullptr;
  connection = nullptr;
  options = nullptr;
  {
    std::lock_guard lock(mu);
    for (auto& entry : pending) left.emplace(entry.first, std::move(entry.second));
    pending.clear();
  }
  for (auto& entry : left) entry.second(PublishResult::kNotSent);
}

}  // namespace ef::uplink
