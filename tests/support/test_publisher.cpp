#include "tests/support/test_publisher.h"

#include "tests/support/paho_connection.h"

namespace ef::testkit {

TestPublisher::TestPublisher(PublisherOptions options)
    : options_(std::move(options)),
      conn_(std::make_unique<PahoConnection>(
          PahoOptions{.uri = options_.uri,
                      .client_id = options_.client_id,
                      .clean_session = true,
                      .auto_reconnect = false,
                      .max_inflight = static_cast<int>(options_.max_inflight)})) {}

TestPublisher::~TestPublisher() { conn_->Close(); }

bool TestPublisher::Connect(Deadline deadline) {
  std::string why;
  if (conn_->Connect(deadline, &why)) return true;
  std::lock_guard lock(mu_);
  error_ = why;
  return false;
}

void TestPublisher::Settle(bool ok) {
  {
    std::lock_guard lock(mu_);
    (ok ? acked_ : failed_)++;
  }
  cv_.notify_all();
}

struct TestPublisher::PahoCallbacks {
  static void OnDelivered(void* context, MQTTAsync_successData*) {
    static_cast<TestPublisher*>(context)->Settle(true);
  }
  static void OnFailed(void* context, MQTTAsync_failureData*) {
    static_cast<TestPublisher*>(context)->Settle(false);
  }
};

bool TestPublisher::Publish(const std::string& topic, std::string_view payload, Deadline deadline) {
  {
    std::unique_lock lock(mu_);
    bool room = WaitOnCondition(
        cv_, lock, deadline, [&] { return published_ - acked_ - failed_ < options_.max_inflight; });
    if (!room) {
      error_ = "timed out waiting for acknowledgements";
      return false;
    }
    ++published_;  // counted before sending so a fast PUBACK can never be settled first
  }
  MQTTAsync_responseOptions response = MQTTAsync_responseOptions_initializer;
  response.onSuccess = &PahoCallbacks::OnDelivered;
  response.onFailure = &PahoCallbacks::OnFailed;
  response.context = this;
  MQTTAsync_message message = MQTTAsync_message_initializer;
  message.payload = const_cast<char*>(payload.data());  // Paho copies it
  message.payloadlen = static_cast<int>(payload.size());
  message.qos = options_.qos;
  int rc = MQTTAsync_sendMessage(conn_->handle(), topic.c_str(), &message, &response);
  if (rc == MQTTASYNC_SUCCESS) return true;
  std::lock_guard lock(mu_);
  --published_;
  error_ = std::string("MQTTAsync_sendMessage: ") + MQTTAsync_strerror(rc);
  return false;
}

bool TestPublisher::WaitAllAcked(Deadline deadline) {
  std::unique_lock lock(mu_);
  WaitOnCondition(cv_, lock, deadline, [&] { return acked_ + failed_ == published_; });
  if (failed_ > 0) error_ = std::to_string(failed_) + " publishes failed";
  return acked_ == published_;
}

size_t TestPublisher::published() const {
  std::lock_guard lock(mu_);
  return published_;
}

size_t TestPublisher::acked() const {
  std::lock_guard lock(mu_);
  return acked_;
}

size_t TestPublisher::failed() const {
  std::lock_guard lock(mu_);
  return failed_;
}

std::string TestPublisher::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

}  // namespace ef::testkit
