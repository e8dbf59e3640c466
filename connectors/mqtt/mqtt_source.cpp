#include "connectors/mqtt/mqtt_source.h"

#include <MQTTAsync.h>

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <vector>

#include "core/json.h"
#include "core/reconnector.h"

namespace ef::connectors {
namespace {
constexpr char kComponent[] = "mqtt-source";
constexpr size_t kDecodePadding = 64;  // PayloadDecoder::kPadding
}

// Everything Paho touches. Paho calls back with `this` as context; `mu` guards the flags
// that Stop() uses to make sure no callback is running when the client is destroyed.
struct MqttSource::Impl {
  MqttSource& owner;
  EventSink* sink = nullptr;
  MQTTAsync client = nullptr;
  std::unique_ptr<Reconnector> reconnector;
  std::atomic<bool> ready{false};
  std::atomic<bool> paused{false};
  Counter* received = nullptr;  // edgeferry_events_received_total{source=<name>}
  Counter* oversized = nullptr;  // edgeferry_payloads_oversized_total{source=<name>}
  std::mutex mu;
  std::condition_variable cv;
  int active_callbacks = 0;
  bool closing = false;
  bool disconnected = false;

  explicit Impl(MqttSource& o) : owner(o) {}

  // Registers a callback as running; false once the source is closing.
  bool Enter() {
    std::lock_guard lock(mu);
    if (closing) return false;
    ++active_callbacks;
    return true;
  }
  void Leave() {
    std::lock_guard lock(mu);
    if (--active_callbacks == 0) cv.notify_all();
  }

  void Connect();
  void Subscribe();
  void Deliver(const char* topic, int topic_len, const MQTTAsync_message& message);
  void Push(Event event);

  static int OnMessage(void* ctx, char* topic, int topic_len, MQTTAsync_message* message);
  static void OnConnectionLost(void* ctx, char* cause);
  static void OnConnected(void* ctx, MQTTAsync_successData* data);
  static void OnConnectFailed(void* ctx, MQTTAsync_failureData* data);
  static void OnSubscribed(void* ctx, MQTTAsync_successData* data);
  static void OnSubscribeFailed(void* ctx, MQTTAsync_failureData* data);
  static void OnDisconnected(void* ctx, MQTTAsync_successData* data);
  static void OnDisconnectFailed(void* ctx, MQTTAsync_failureData* data);
};

namespace {

std::string Reason(const MQTTAsync_failureData* data) {
  if (data == nullptr) return "unknown error";
  if (data->message != nullptr) return data->message;
  return MQTTAsync_strerror(data->code);
}

}  // namespace

void MqttSource::Impl::Connect() {
  const MqttSourceConfig& cfg = owner.config_;
  MQTTAsync_connectOptions opts = MQTTAsync_connectOptions_initializer;
  opts.keepAliveInterval = static_cast<int>(cfg.keepalive_s);
  opts.cleansession = 0;  // persistent session: the broker queues while we are away
  opts.connectTimeout = 10;
  opts.MQTTVersion = MQTTVERSION_3_1_1;
  opts.onSuccess = OnConnected;
  opts.onFailure = OnConnectFailed;
  opts.context = this;
  if (!cfg.username.empty()) opts.username = cfg.username.c_str();
  if (!cfg.password.empty()) opts.password = cfg.password.c_str();
  MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
  if (cfg.uri.starts_with("ssl://")) opts.ssl = &ssl;  // system CA store, server verified
  const int rc = MQTTAsync_connect(client, &opts);
  if (rc != MQTTASYNC_SUCCESS) reconnector->Failed(MQTTAsync_strerror(rc));
}

void MqttSource::Impl::Subscribe() {
  const MqttSourceConfig& cfg = owner.config_;
  std::vector<char*> topics;
  std::vector<int> qos(cfg.topics.size(), static_cast<int>(cfg.qos));
  for (const std::string& t : cfg.topics) topics.push_back(const_cast<char*>(t.c_str()));
  MQTTAsync_responseOptions opts = MQTTAsync_responseOptions_initializer;
  opts.onSuccess = OnSubscribed;
  opts.onFailure = OnSubscribeFailed;
  opts.context = this;
  const int rc = MQTTAsync_subscribeMany(client, static_cast<int>(topics.size()), topics.data(),
                                         qos.data(), &opts);
  if (rc != MQTTASYNC_SUCCESS) {
    owner.log_.Error(kComponent, owner.config_.name + ": subscribe failed: " +
                                     MQTTAsync_strerror(rc));
  }
}

void MqttSource::Impl::Deliver(const char* topic, int topic_len, const MQTTAsync_message& msg) {
  const MqttSourceConfig& cfg = owner.config_;
  Event event;
  event.stream = cfg.stream;
  event.origin.assign(topic, topic_len > 0 ? static_cast<size_t>(topic_len) : strlen(topic));
  event.device_id = DeviceIdFromTopic(event.origin, cfg.device_id_level);
  event.ingest_time_ms = owner.clock_.WallMillis();
  event.event_time_ms = event.ingest_time_ms;
  event.source = cfg.name;
  // Room for the decoder's padding (pipeline/decode/payload_decoder.h), so it parses the
  // payload where it is instead of copying it.
  const auto size = static_cast<size_t>(msg.payloadlen);
  received->Add();
  if (size > static_cast<size_t>(cfg.max_payload_bytes)) {
    // Not copied: the bound is what keeps a runaway device from filling memory and queue.
    oversized->Add();
    event.refused = "payload of " + std::to_string(size) + " bytes exceeds max_payload_bytes (" +
                    std::to_string(cfg.max_payload_bytes) + ") of source '" + cfg.name + "'";
    Push(std::move(event));
    return;
  }
  event.payload.reserve(size + kDecodePadding);
  event.payload.assign(static_cast<const char*>(msg.payload), size);
  // A decoded source's payload is validated by the decode stage (which marks it JSON), so the
  // callback thread does not parse it twice.
  if (cfg.decode.format == DataFormat::kRaw && IsValidJson(event.payload)) {
    event.format = PayloadFormat::kJson;
  }
  Push(std::move(event));
}

void MqttSource::Impl::Push(Event event) {
  if (!sink->Push(std::move(event))) {
    owner.log_.Error(kComponent, owner.config_.name + ": pipeline closed, a message was not "
                                                      "accepted");
  }
}

int MqttSource::Impl::OnMessage(void* ctx, char* topic, int topic_len, MQTTAsync_message* msg) {
  auto* self = static_cast<Impl*>(ctx);
  if (self->Enter()) {
    self->Deliver(topic, topic_len, *msg);
    self->Leave();
  }
  MQTTAsync_freeMessage(&msg);
  MQTTAsync_free(topic);
  return 1;
}

void MqttSource::Impl::OnConnectionLost(void* ctx, char* cause) {
  auto* self = static_cast<Impl*>(ctx);
  self->ready.store(false);
  self->reconnector->Lost(cause != nullptr ? cause : "connection closed");
}

void MqttSource::Impl::OnConnected(void* ctx, MQTTAsync_successData* /*data*/) {
  auto* self = static_cast<Impl*>(ctx);
  if (self->paused.load()) {  // paused while this connect was under way
    MQTTAsync_disconnectOptions opts = MQTTAsync_disconnectOptions_initializer;
    (void)MQTTAsync_disconnect(self->client, &opts);
    return;
  }
  self->reconnector->Connected();
  self->Subscribe();  // the session may be new; re-subscribing an existing one is harmless
}

void MqttSource::Impl::OnConnectFailed(void* ctx, MQTTAsync_failureData* data) {
  static_cast<Impl*>(ctx)->reconnector->Failed(Reason(data));
}

void MqttSource::Impl::OnSubscribed(void* ctx, MQTTAsync_successData* /*data*/) {
  auto* self = static_cast<Impl*>(ctx);
  std::string topics;
  for (const std::string& t : self->owner.config_.topics) topics += (topics.empty() ? "" : ", ") + t;
  self->owner.log_.Info(kComponent, self->owner.config_.name + ": subscribed to " + topics);
  self->ready.store(true);
}

void MqttSource::Impl::OnSubscribeFailed(void* ctx, MQTTAsync_failureData* data) {
  auto* self = static_cast<Impl*>(ctx);
  self->owner.log_.Error(kComponent, self->owner.config_.name +
                                         ": broker refused the subscription: " + Reason(data));
}

void MqttSource::Impl::OnDisconnected(void* ctx, MQTTAsync_successData* /*data*/) {
  auto* self = static_cast<Impl*>(ctx);
  std::lock_guard lock(self->mu);
  self->disconnected = true;
  self->cv.notify_all();
}

void MqttSource::Impl::OnDisconnectFailed(void* ctx, MQTTAsync_failureData* /*data*/) {
  OnDisconnected(ctx, nullptr);
}

MqttSource::MqttSource(MqttSourceConfig config, const Clock& clock, Logger& log,
                       MetricsRegistry& metrics)
    : config_(std::move(config)), clock_(clock), log_(log), impl_(std::make_unique<Impl>(*this)) {
  impl_->received = &metrics.GetCounter("edgeferry_events_received_total",
                                        "Messages a source received.",
                                        {{"source", config_.name}, {"kind", "mqtt"}});
  impl_->oversized = &metrics.GetCounter(
      "edgeferry_payloads_oversized_total",
      "Messages refused at ingest for a payload beyond max_payload_bytes (dead-lettered).",
      {{"source", config_.name}});
}

MqttSource::~MqttSource() { Stop(); }

Status MqttSource::Start(EventSink& sink) {
  impl_->sink = &sink;
  MQTTAsync_createOptions create = MQTTAsync_createOptions_initializer;
  create.MQTTVersion = MQTTVERSION_3_1_1;
  int rc = MQTTAsync_createWithOptions(&impl_->client, config_.uri.c_str(),
                                       config_.client_id.c_str(), MQTTCLIENT_PERSISTENCE_NONE,
                                       nullptr, &create);
  if (rc != MQTTASYNC_SUCCESS) {
    return Status::InvalidArgument(config_.name + ": cannot create MQTT client for " +
                                   config_.uri + ": " + MQTTAsync_strerror(rc));
  }
  MQTTAsync_setCallbacks(impl_->client, impl_.get(), Impl::OnConnectionLost, Impl::OnMessage,
                         nullptr);
  impl_->reconnector = std::make_unique<Reconnector>(
      kComponent, config_.name + " (" + config_.uri + ")", clock_, log_, BackoffPolicy{},
      [impl = impl_.get()] { impl->Connect(); });
  impl_->reconnector->Start();
  return Status::Ok();
}

void MqttSource::Stop() {
  if (impl_->client == nullptr) return;
  impl_->reconnector->Stop();  // no new connect attempt from here on
  impl_->ready.store(false);
  MQTTAsync_disconnectOptions opts = MQTTAsync_disconnectOptions_initializer;
  opts.timeout = 2000;
  opts.onSuccess = Impl::OnDisconnected;
  opts.onFailure = Impl::OnDisconnectFailed;
  opts.context = impl_.get();
  const bool was_connected = MQTTAsync_disconnect(impl_->client, &opts) == MQTTASYNC_SUCCESS;
  std::unique_lock lock(impl_->mu);
  if (was_connected) {
    impl_->cv.wait_for(lock, std::chrono::seconds(5), [&] { return impl_->disconnected; });
  }
  // From here no message callback may start; wait for one that is running to finish.
  impl_->closing = true;
  impl_->cv.wait(lock, [&] { return impl_->active_callbacks == 0; });
  lock.unlock();
  MQTTAsync_destroy(&impl_->client);
  impl_->client = nullptr;
  log_.Info(kComponent, config_.name + ": stopped after receiving " +
                            std::to_string(impl_->received->value()) + " messages in total");
}

bool MqttSource::Ready() const { return impl_->ready.load(); }

void MqttSource::Pause() {
  if (impl_->client == nullptr || impl_->paused.exchange(true)) return;
  impl_->reconnector->Pause();
  impl_->ready.store(false);
  // Asynchronous: messages Paho already received are still delivered to the (non-blocking)
  // callback; the broker keeps everything after that for the persistent session.
  MQTTAsync_disconnectOptions opts = MQTTAsync_disconnectOptions_initializer;
  opts.timeout = 1000;
  (void)MQTTAsync_disconnect(impl_->client, &opts);
  log_.Warning(kComponent, config_.name + ": ingest paused: the pipeline is behind; the broker "
                                          "keeps the messages meanwhile");
}

void MqttSource::Resume() {
  if (impl_->client == nullptr || !impl_->paused.exchange(false)) return;
  log_.Info(kComponent, config_.name + ": ingest resumed");
  impl_->reconnector->Resume();
}

}  // namespace ef::connectors
