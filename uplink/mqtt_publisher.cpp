#include "uplink/mqtt_publisher.h"

#include <MQTTAsync.h>

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <condition_variable>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/json.h"
#include "core/reconnector.h"
#include "uplink/envelope.h"

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
  std::string gateway_id;
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
  std::vector<std::string> uris;        // cluster nodes, tried in turn
  std::vector<char*> uri_ptrs;
  size_t attempt = 0;                   // which URI the next connect uses (reconnector thread)
  std::string status_topic, will_payload, birth_payload;
  std::string alpn_wire;                // ALPN protocol list in wire format
  std::string last_tls_error;           // guarded by mu: why the last TLS handshake failed

  void Birth();
  void SendStatus(const std::string& payload);
  static int OnTlsError(const char* text, size_t len, void* ctx) {
    auto* self = static_cast<Impl*>(ctx);
    std::lock_guard lock(self->mu);
    self->last_tls_error.assign(text, len);
    while (!self->last_tls_error.empty() && self->last_tls_error.back() == '\n') {
      self->last_tls_error.pop_back();
    }
    return 0;
  }

  Impl(UplinkConfig c, std::string gw, const Clock& k, Logger& l)
      : config(std::move(c)), gateway_id(std::move(gw)), clock(k), log(l) {}

  void Connect();
  void Finish(uint64_t id, PublishResult result);
  void FailAllPending();

  static void OnConnected(void* ctx, MQTTAsync_successData*) {
    auto* self = static_cast<Impl*>(ctx);
    self->connected.store(true);
    self->reconnector->Connected();
    self->Birth();
  }
  static void OnConnectFailed(void* ctx, MQTTAsync_failureData* data) {
    auto* self = static_cast<Impl*>(ctx);
    std::string reason = Reason(data);
    {
      std::lock_guard lock(self->mu);
      if (!self->last_tls_error.empty()) {
        reason += "; TLS: " + self->last_tls_error;
      } else if (self->uris.front().starts_with("ssl://")) {
        // OpenSSL reports nothing locally when the broker ends the handshake.
        reason += "; TLS: no local error, so the broker probably refused the handshake: "
                  "client certificate missing or not signed by a CA it trusts?";
      }
      self->last_tls_error.clear();
    }
    self->reconnector->Failed(reason);
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
  opts.maxInflight = static_cast<int>(config.max_inflight) + 1;  // + the birth message
  opts.MQTTVersion = MQTTVERSION_3_1_1;
  opts.onSuccess = OnConnected;
  opts.onFailure = OnConnectFailed;
  opts.context = this;
  // One URI per attempt, rotating: Paho's own list would fail over silently (no callback)
  // and leave the reconnector waiting for an outcome that never comes.
  const size_t index = attempt++ % uri_ptrs.size();
  opts.serverURIs = &uri_ptrs[index];
  opts.serverURIcount = 1;
  if (!config.username.empty()) opts.username = config.username.c_str();
  if (!config.password.empty()) opts.password = config.password.c_str();
  MQTTAsync_willOptions will = MQTTAsync_willOptions_initializer;
  if (!status_topic.empty()) {
    will.topicName = status_topic.c_str();
    will.message = will_payload.c_str();
    will.retained = 1;
    will.qos = 1;
    opts.will = &will;
  }
  MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
  if (uris[index].starts_with("ssl://")) {
    // The default method negotiates the highest version; Debian's OpenSSL policy refuses
    // anything below TLS 1.2. SNI is sent with the host name of the URI.
    ssl.enableServerCertAuth = config.verify_server ? 1 : 0;
    ssl.verify = config.verify_hostname ? 1 : 0;
    if (!config.ca_file.empty()) ssl.trustStore = config.ca_file.c_str();
    if (!config.cert_file.empty()) ssl.keyStore = config.cert_file.c_str();
    if (!config.key_file.empty()) ssl.privateKey = config.key_file.c_str();
    if (!config.key_password.empty()) ssl.privateKeyPassword = config.key_password.c_str();
    if (!alpn_wire.empty()) {
      ssl.protos = reinterpret_cast<const unsigned char*>(alpn_wire.data());
      ssl.protos_len = static_cast<unsigned>(alpn_wire.size());
    }
    ssl.ssl_error_cb = OnTlsError;
    ssl.ssl_error_context = this;
    opts.ssl = &ssl;
  }
  const int rc = MQTTAsync_connect(client, &opts);
  if (rc != MQTTASYNC_SUCCESS) reconnector->Failed(MQTTAsync_strerror(rc));
}

// The retained "online" message on the status topic; the will says "offline".
void MqttPublisher::Impl::Birth() { SendStatus(birth_payload); }

// A clean stop says "offline" itself: the broker sends the will only for a dead connection.
void MqttPublisher::Impl::SendStatus(const std::string& payload) {
  if (status_topic.empty()) return;
  MQTTAsync_message msg = MQTTAsync_message_initializer;
  msg.payload = const_cast<char*>(payload.data());
  msg.payloadlen = static_cast<int>(payload.size());
  msg.qos = 1;
  msg.retained = 1;
  MQTTAsync_responseOptions response = MQTTAsync_responseOptions_initializer;
  (void)MQTTAsync_sendMessage(client, status_topic.c_str(), &msg, &response);
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

MqttPublisher::MqttPublisher(UplinkConfig config, std::string gateway_id, const Clock& clock,
                             Logger& log)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(gateway_id), clock, log)) {}

MqttPublisher::~MqttPublisher() { Stop(); }

namespace {

// Warns about a private key that others can read; never logs its content.
void CheckKeyPermissions(const std::string& path, Logger& log) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return;
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%03o", static_cast<unsigned>(st.st_mode & 0777));
    log.Warning(kComponent, "private key " + path + " is readable by group or others (mode " +
                                mode + "); chmod 600 it");
  }
}

std::string AlpnWire(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const std::string& p : protocols) {
    wire += static_cast<char>(std::min<size_t>(p.size(), 255));
    wire += p.substr(0, 255);
  }
  return wire;
}

std::string StatusPayload(const std::string& gateway_topic_value, const char* state) {
  std::string out = "{\"client\":";
  AppendJsonString(out, gateway_topic_value);
  out += ",\"state\":\"";
  out += state;
  out += "\"}";
  return out;
}

}  // namespace

Status MqttPublisher::Start() {
  Impl& s = *impl_;
  s.uris = BrokerUris(s.config);
  if (s.uris.empty()) return Status::InvalidArgument("no broker URI configured");
  for (std::string& u : s.uris) s.uri_ptrs.push_back(u.data());
  s.alpn_wire = AlpnWire(s.config.alpn);
  if (!s.config.status_topic.empty()) {
    Event gateway_only;  // {gateway} is the only placeholder that means something here
    s.status_topic = TopicTemplate(s.config.status_topic).Expand(s.gateway_id, gateway_only);
    s.will_payload = StatusPayload(s.config.client_id, "offline");
    s.birth_payload = StatusPayload(s.config.client_id, "online");
  }
  CheckKeyPermissions(s.config.key_file, s.log);
  MQTTAsync_createOptions create = MQTTAsync_createOptions_initializer;
  create.MQTTVersion = MQTTVERSION_3_1_1;
  create.sendWhileDisconnected = 0;  // a publish while disconnected fails at once (kRetry)
  const int rc = MQTTAsync_createWithOptions(&s.client, s.uris.front().c_str(),
                                             s.config.client_id.c_str(),
                                             MQTTCLIENT_PERSISTENCE_NONE, nullptr, &create);
  if (rc != MQTTASYNC_SUCCESS) {
    return Status::InvalidArgument("cannot create MQTT client for " + s.uris.front() + ": " +
                                   MQTTAsync_strerror(rc));
  }
  // (MQTTAsync_setCallbacks refuses a null message callback; this one has no subscriptions.)
  MQTTAsync_setConnectionLostCallback(s.client, &s, Impl::OnConnectionLost);
  // At most one connect per min_connect_interval_ms per client id (AWS: one per second).
  BackoffPolicy policy;
  policy.min = std::chrono::milliseconds(s.config.min_connect_interval_ms);
  policy.base = std::max(policy.base, policy.min);
  policy.cap = std::max(policy.cap, policy.base);
  std::string peers = "cloud " + s.uris.front();
  if (s.uris.size() > 1) peers += " (+" + std::to_string(s.uris.size() - 1) + " more)";
  s.reconnector = std::make_unique<Reconnector>(kComponent, peers, s.clock, s.log, policy,
                                                [&s] { s.Connect(); });
  s.reconnector->Start();
  return Status::Ok();
}

void MqttPublisher::Stop() {
  Impl& s = *impl_;
  if (s.client == nullptr) return;
  s.reconnector->Stop();
  if (s.connected.load()) s.SendStatus(s.will_payload);  // flushed by the disconnect below
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
    done(PublishResult::kNotSent);
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
    s.Finish(id, IsPermanent(rc) ? PublishResult::kDrop : PublishResult::kNotSent);
  }
}

bool MqttPublisher::Connected() const { return impl_->connected.load(); }

void InitMqttLibrary() {
  MQTTAsync_init_options options = MQTTAsync_init_options_initializer;
  options.do_openssl_init = 0;
  MQTTAsync_global_init(&options);
}

std::string MqttLibraryVersion() {
  std::string version = "Paho MQTT C";
  for (MQTTAsync_nameValue* info = MQTTAsync_getVersionInfo(); info && info->name; ++info) {
    if (std::string_view(info->name) == "Version") version += std::string(" ") + info->value;
  }
  return version;
}

}  // namespace ef::uplink
