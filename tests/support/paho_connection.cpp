#include "tests/support/paho_connection.h"

#include <stdexcept>

namespace ef::testkit {

PahoConnection::PahoConnection(PahoOptions options) : options_(std::move(options)) {
  int rc = MQTTAsync_create(&handle_, options_.uri.c_str(), options_.client_id.c_str(),
                            MQTTCLIENT_PERSISTENCE_NONE, nullptr);
  if (rc != MQTTASYNC_SUCCESS) {
    throw std::runtime_error("MQTTAsync_create " + options_.uri +
                             " failed: " + MQTTAsync_strerror(rc));
  }
}

PahoConnection::~PahoConnection() { Close(); }

void PahoConnection::SetState(State state, std::string error) {
  {
    std::lock_guard lock(mu_);
    state_ = state;
    error_ = std::move(error);
  }
  cv_.notify_all();
}

void PahoConnection::OnConnected(void* context, MQTTAsync_successData*) {
  static_cast<PahoConnection*>(context)->SetState(State::kConnected);
}

void PahoConnection::OnConnectFailed(void* context, MQTTAsync_failureData* data) {
  std::string why = "connect failed";
  if (data != nullptr) {
    why += " (code " + std::to_string(data->code) + ")";
    if (data->message != nullptr) why += ": " + std::string(data->message);
  }
  static_cast<PahoConnection*>(context)->SetState(State::kFailed, why);
}

void PahoConnection::OnDisconnected(void* context, MQTTAsync_successData*) {
  static_cast<PahoConnection*>(context)->SetState(State::kDisconnected);
}

bool PahoConnection::Connect(Deadline deadline, std::string* error) {
  MQTTAsync_connectOptions opts = MQTTAsync_connectOptions_initializer;
  opts.keepAliveInterval = 20;
  opts.cleansession = options_.clean_session ? 1 : 0;
  opts.maxInflight = options_.max_inflight;
  opts.automaticReconnect = options_.auto_reconnect ? 1 : 0;
  opts.minRetryInterval = 1;
  opts.maxRetryInterval = 2;
  opts.connectTimeout = 5;
  opts.onSuccess = &PahoConnection::OnConnected;
  opts.onFailure = &PahoConnection::OnConnectFailed;
  opts.context = this;
  SetState(State::kPending);
  int rc = MQTTAsync_connect(handle_, &opts);
  if (rc != MQTTASYNC_SUCCESS) {
    *error = std::string("MQTTAsync_connect: ") + MQTTAsync_strerror(rc);
    return false;
  }
  std::unique_lock lock(mu_);
  bool done = WaitOnCondition(cv_, lock, deadline, [&] { return state_ != State::kPending; });
  if (state_ == State::kConnected) return true;
  *error = done ? error_ : "connect to " + options_.uri + " timed out";
  return false;
}

bool PahoConnection::Connected() const {
  return handle_ != nullptr && MQTTAsync_isConnected(handle_);
}

void PahoConnection::Close() {
  if (handle_ == nullptr) return;
  if (MQTTAsync_isConnected(handle_)) {
    MQTTAsync_disconnectOptions opts = MQTTAsync_disconnectOptions_initializer;
    opts.timeout = 1000;
    opts.onSuccess = &PahoConnection::OnDisconnected;
    opts.context = this;
    if (MQTTAsync_disconnect(handle_, &opts) == MQTTASYNC_SUCCESS) {
      std::unique_lock lock(mu_);
      WaitOnCondition(cv_, lock, DeadlineIn(std::chrono::seconds(2)),
                      [&] { return state_ == State::kDisconnected; });
    }
  }
  MQTTAsync_destroy(&handle_);
  handle_ = nullptr;
}

}  // namespace ef::testkit
