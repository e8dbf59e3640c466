#include "uplink/mqtt_publisher.h"

#include <MQTTAsync.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/reconnector.h"

namespace ef::uplink {
namespace {
constexpr char kComponent[] = "uplink";

std::string Reason(const MQTTAsync_failureData* data) {
  if (data == nullptr) return "unknown error";
  if (data->message != nullptr) return data->message;
  return MQTTAsync_strerror(data->code);
}

// Paho refuses these before anything is sent; sending again cannot help.
bool IsPermanent(int rc) {
  return rc == MQTTASYNC_BAD_UTF8_STRING || rc == MQTTASYNC_BAD_QOS ||
         rc == MQTTASYNC_BAD_STRUCTURE || rc == MQTTASYNC_NULL_PARAMETER;
}
}  // namespace

struct MqttPublisher::Impl {
  // The context Paho hands back for one publish. It lives until Paho calls back (or the
  // client is destroyed), even when the publish was already reported failed.
  struct PublishContext {
    Impl* impl;
    uint64_t id;
  };
  struct Pending {
    Done done;  // empty once reported
    std::unique_ptr<PublishContext> context;
  };

  UplinkConfig config;
  const Clock& clock;
  Logger& log;
  MQTTAsync client = nullptr;
  std::unique_ptr<Reconnector> reconnector;
  std::atomic<bool> connected{false};
  std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<uint64_t, Pending> pending;
  uint64_t next_id = 1;
  bool disconnected = false;

  Impl(UplinkConfig c, const Clock& k, Logger& l) : config(std::move(c)), clock(k), log(l) {}

  void Connect();
  void Finish(uint64_t id, PublishResult result);
  void FailAllPending();

  static void OnConnected(void* ctx, MQTTAsync_successData*) {
    auto* self = static_cast<Impl*>(ctx);
    self->connected.store(true);
    self->reconnector->Connected();
  }
  static void OnConnectFailed(void* ctx, MQTTAsync_failureData* data) {
    static_cast<Impl*>(ctx)->reconnector->Failed(Reason(data));
  }
  static void OnConnectionLost(void* ctx, char* cause) {
    auto* self = static_cast<Impl*>(ctx);
    self->connected.store(false);
    self->FailAllPending();
    self->reconnector->Lost(cause != nullptr ? cause : "connection closed");
  }
  static void OnSent(void* ctx, MQTTAsync_successData*) {
    auto* c = static_cast<PublishContext*>(ctx);
    c->impl->Finish(c->id, PublishResult::kOk);
  }
  static void OnSendFailed(void* ctx, MQTTAsync_failureData*) {
    auto* c = static_cast<PublishContext*>(ctx);
    c->impl->Finish(c->id, PublishResult::kRetry);
  }
  static void OnDisconnected(void* ctx, MQTTAsync_successData*) {
    auto* self = static_cast<Impl*>(ctx);
    std::lock_guard lock(self->mu);
    self->disconnected = true;
    self->cv.notify_all();
  }
  static void OnDisconnectFailed(void* ctx, MQTTAsync_failureData*) { OnDisconnected(ctx, nullptr); }
};

void MqttPublisher::Impl::Connect() {
  MQTTAsync_connectOptions opts = MQTTAsync_connectOptions_initializer;
  opts.keepAliveInterval = static_cast<int>(config.keepalive_s);
  opts.cleansession = 1;  // the Store remembers what is unsent, not the broker
  opts.connectTimeout = 10;
  opts.maxInflight = static_cast<int>(config.max_inflight);
  opts.MQTTVersion = MQTTVERSION_3_1_1;
  opts.onSuccess = OnConnected;
  opts.onFailure = OnConnectFailed;
  opts.context = this;
  if (!config.username.empty()) opts.username = config.username.c_str();
  if (!config.password.empty()) opts.password = config.password.c_str();
  MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
  if (config.uri.starts_with("ssl://")) opts.ssl = &ssl;  // system CA store, server verified
  const int rc = MQTTAsync_connect(client, &opts);
  if (rc != MQTTASYNC_SUCCESS) reconnector->Failed(MQTTAsync_strerror(rc));
}

void MqttPublisher::Impl::Finish(uint64_t id, PublishResult result) {
  Done done;
  {
    std::lock_guard lock(mu);
    auto it = pending.find(id);
    if (it == pending.end()) return;
    done = std::move(it->second.done);
    pending.erase(it);  // Paho has called back: the context is no longer needed
  }
  if (done) done(result);
}

void MqttPublisher::Impl::FailAllPending() {
  std::vector<Done> failed;
  {
    std::lock_guard lock(mu);
    for (auto& [id, p] : pending) {
      if (p.done) failed.push_back(std::move(p.done));
      p.done = nullptr;  // keep the context: Paho may still call back with it
    }
  }
  for (Done& done : failed) done(PublishResult::kRetry);
}

MqttPublisher::MqttPublisher(UplinkConfig config, const Clock& clock, Logger& log)
    : impl_(std::make_unique<Impl>(std::move(config), clock, log)) {}

MqttPublisher::~MqttPublisher() { Stop(); }

Status MqttPublisher::Start() {
  Impl& s = *impl_;
  MQTTAsync_createOptions create = MQTTAsync_createOptions_initializer;
  create.MQTTVersion = MQTTVERSION_3_1_1;
  create.sendWhileDisconnected = 0;  // a publish while disconnected fails at once (kRetry)
  const int rc = MQTTAsync_createWithOptions(&s.client, s.config.uri.c_str(),
                                             s.config.client_id.c_str(),
                                             MQTTCLIENT_PERSISTENCE_NONE, nullptr, &create);
  if (rc != MQTTASYNC_SUCCESS) {
    return Status::InvalidArgument("cannot create MQTT client for " + s.config.uri + ": " +
                                   MQTTAsync_strerror(rc));
  }
  // (MQTTAsync_setCallbacks refuses a null message callback; this one has no subscriptions.)
  MQTTAsync_setConnectionLostCallback(s.client, &s, Impl::OnConnectionLost);
  s.reconnector = std::make_unique<Reconnector>(kComponent, "cloud " + s.config.uri, s.clock,
                                                s.log, BackoffPolicy{}, [&s] { s.Connect(); });
  s.reconnector->Start();
  return Status::Ok();
}

void MqttPublisher::Stop() {
  Impl& s = *impl_;
  if (s.client == nullptr) return;
  s.reconnector->Stop();
  MQTTAsync_disconnectOptions opts = MQTTAsync_disconnectOptions_initializer;
  opts.timeout = 1000;
  opts.onSuccess = Impl::OnDisconnected;
  opts.onFailure = Impl::OnDisconnectFailed;
  opts.context = &s;
  if (MQTTAsync_disconnect(s.client, &opts) == MQTTASYNC_SUCCESS) {
    std::unique_lock lock(s.mu);
    s.cv.wait_for(lock, std::chrono::seconds(3), [&] { return s.disconnected; });
  }
  s.connected.store(false);
  MQTTAsync_destroy(&s.client);
  s.client = nullptr;
  s.FailAllPending();
  std::lock_guard lock(s.mu);
  s.pending.clear();
}

void MqttPublisher::Publish(const OutgoingMessage& message, Done done) {
  Impl& s = *impl_;
  if (!s.connected.load()) {
    done(PublishResult::kRetry);
    return;
  }
  uint64_t id;
  Impl::PublishContext* context;
  {
    std::lock_guard lock(s.mu);
    id = s.next_id++;
    auto owned = std::make_unique<Impl::PublishContext>(Impl::PublishContext{&s, id});
    context = owned.get();
    s.pending.emplace(id, Impl::Pending{std::move(done), std::move(owned)});
  }
  MQTTAsync_message msg = MQTTAsync_message_initializer;
  msg.payload = const_cast<char*>(message.payload.data());  // Paho copies it
  msg.payloadlen = static_cast<int>(message.payload.size());
  msg.qos = message.qos;
  MQTTAsync_responseOptions response = MQTTAsync_responseOptions_initializer;
  response.onSuccess = Impl::OnSent;
  response.onFailure = Impl::OnSendFailed;
  response.context = context;
  const int rc = MQTTAsync_sendMessage(s.client, message.topic.c_str(), &msg, &response);
  if (rc != MQTTASYNC_SUCCESS) {
    s.Finish(id, IsPermanent(rc) ? PublishResult::kDrop : PublishResult::kRetry);
  }
}

bool MqttPublisher::Connected() const { return impl_->connected.load(); }

std::string MqttLibraryVersion() {
  std::string version = "Paho MQTT C";
  for (MQTTAsync_nameValue* info = MQTTAsync_getVersionInfo(); info && info->name; ++info) {
    if (std::string_view(info->name) == "Version") version += std::string(" ") + info->value;
  }
  return version;
}

}  // namespace ef::uplink
