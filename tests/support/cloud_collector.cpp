#include "tests/support/cloud_collector.h"

#include "tests/support/paho_connection.h"

namespace ef::testkit {

struct CloudCollector::PahoCallbacks {
  static int OnMessage(void* context, char* topic, int topic_len, MQTTAsync_message* message) {
    auto* self = static_cast<CloudCollector*>(context);
    std::string topic_text =
        topic_len > 0 ? std::string(topic, static_cast<size_t>(topic_len)) : std::string(topic);
    std::string body(static_cast<const char*>(message->payload),
                     static_cast<size_t>(message->payloadlen));
    MQTTAsync_freeMessage(&message);
    MQTTAsync_free(topic);
    {
      std::lock_guard lock(self->mu_);
      self->Record(std::move(topic_text), std::move(body));
    }
    self->cv_.notify_all();
    return 1;
  }
  static void OnConnectionLost(void* context, char* /*cause*/) {
    auto* self = static_cast<CloudCollector*>(context);
    std::lock_guard lock(self->mu_);
    ++self->stats_.connection_losses;
  }
  // Called after the first connect and after every automatic reconnect. Subscribing again is
  // harmless when the persistent session already holds the subscription.
  static void OnConnected(void* context, char* /*cause*/) {
    static_cast<CloudCollector*>(context)->Subscribe();
  }
  static void OnSubscribed(void* context, MQTTAsync_successData*) {
    auto* self = static_cast<CloudCollector*>(context);
    {
      std::lock_guard lock(self->mu_);
      ++self->subscriptions_;
    }
    self->cv_.notify_all();
  }
  static void OnSubscribeFailed(void* context, MQTTAsync_failureData* data) {
    auto* self = static_cast<CloudCollector*>(context);
    std::lock_guard lock(self->mu_);
    self->error_ = "subscribe failed, code " + std::to_string(data ? data->code : 0);
  }
};

CloudCollector::CloudCollector(CollectorOptions options)
    : options_(std::move(options)),
      conn_(std::make_unique<PahoConnection>(PahoOptions{.uri = options_.uri,
                                                         .client_id = options_.client_id,
                                                         .clean_session = false,
                                                         .auto_reconnect = true,
                                                         .max_inflight = 100})) {
  MQTTAsync_setCallbacks(conn_->handle(), this, &PahoCallbacks::OnConnectionLost,
                         &PahoCallbacks::OnMessage, nullptr);
  MQTTAsync_setConnected(conn_->handle(), this, &PahoCallbacks::OnConnected);
}

CloudCollector::~CloudCollector() { conn_->Close(); }

void CloudCollector::Subscribe() {
  MQTTAsync_responseOptions response = MQTTAsync_responseOptions_initializer;
  response.onSuccess = &PahoCallbacks::OnSubscribed;
  response.onFailure = &PahoCallbacks::OnSubscribeFailed;
  response.context = this;
  MQTTAsync_subscribe(conn_->handle(), options_.topic_filter.c_str(), 1, &response);
}

bool CloudCollector::Connect(Deadline deadline) {
  std::string why;
  if (!conn_->Connect(deadline, &why)) {
    std::lock_guard lock(mu_);
    error_ = why;
    return false;
  }
  Subscribe();
  std::unique_lock lock(mu_);
  if (WaitOnCondition(cv_, lock, deadline, [&] { return subscriptions_ > 0; })) return true;
  if (error_.empty()) error_ = "subscribe timed out";
  return false;
}

void CloudCollector::Record(std::string topic, std::string message) {
  ++stats_.received;
  Arrival arrival{std::move(topic), std::move(message), std::nullopt, std::nullopt};
  arrival.envelope = parser_.Parse(arrival.message);
  const std::optional<Envelope>& env = arrival.envelope;
  if (!env || env->device.empty() || !env->seq) {
    ++stats_.unparsed;
    arrivals_.push_back(std::move(arrival));
    return;
  }
  if (env->payload) arrival.counter = parser_.IntField(*env->payload, options_.counter_field);
  DeviceState& device = devices_[env->device];
  int64_t seq = *env->seq;
  auto owner = std::make_pair(env->device, arrival.counter);
  auto [known, first_use] = owner_by_seq_.emplace(seq, owner);
  if (!first_use && known->second != owner) ++stats_.seq_reused;
  bool new_seq = device.seqs.insert(seq).second;
  bool new_identity = new_seq;
  if (!new_seq) ++stats_.duplicate_seq;
  if (arrival.counter) {
    auto [it, new_counter] = device.seq_by_counter.emplace(*arrival.counter, seq);
    if (!new_counter && it->second != seq) ++stats_.reingested;
    new_identity = new_counter;
  }
  if (new_identity) {
    ++stats_.unique;
    bool late_seq = device.max_seq && seq <= *device.max_seq;
    bool late_counter =
        arrival.counter && device.max_counter && *arrival.counter <= *device.max_counter;
    if (late_seq || late_counter) ++stats_.out_of_order;
  }
  if (!device.max_seq || seq > *device.max_seq) device.max_seq = seq;
  if (arrival.counter && (!device.max_counter || *arrival.counter > *device.max_counter)) {
    device.max_counter = arrival.counter;
  }
  arrivals_.push_back(std::move(arrival));
}

bool CloudCollector::WaitForCount(size_t n, Deadline deadline) {
  std::unique_lock lock(mu_);
  return WaitOnCondition(cv_, lock, deadline, [&] { return stats_.unique >= n; });
}

CollectorStats CloudCollector::Stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::vector<Arrival> CloudCollector::Arrivals() const {
  std::lock_guard lock(mu_);
  return arrivals_;
}

size_t CloudCollector::DistinctSeqs() const {
  std::lock_guard lock(mu_);
  return owner_by_seq_.size();
}

std::optional<int64_t> CloudCollector::MaxSeq() const {
  std::lock_guard lock(mu_);
  std::optional<int64_t> max;
  for (const auto& [name, device] : devices_) {
    if (device.max_seq && (!max || *device.max_seq > *max)) max = device.max_seq;
  }
  return max;
}

std::vector<int64_t> CloudCollector::MissingSeqs(int64_t first, int64_t last, size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<int64_t> missing;
  for (int64_t seq = first; seq <= last && missing.size() < limit; ++seq) {
    if (owner_by_seq_.count(seq) == 0) missing.push_back(seq);
  }
  return missing;
}

bool CloudCollector::WaitForSeqs(size_t n, Deadline deadline) {
  std::unique_lock lock(mu_);
  return WaitOnCondition(cv_, lock, deadline, [&] { return owner_by_seq_.size() >= n; });
}

bool CloudCollector::HasCounter(const std::string& device, int64_t n) const {
  std::lock_guard lock(mu_);
  auto it = devices_.find(device);
  return it != devices_.end() && it->second.seq_by_counter.count(n) != 0;
}

std::vector<std::string> CloudCollector::MissingCounters(const std::vector<std::string>& devices,
                                                         int64_t per_device) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> missing;
  for (const std::string& name : devices) {
    auto it = devices_.find(name);
    for (int64_t n = 0; n < per_device; ++n) {
      if (it == devices_.end() || it->second.seq_by_counter.count(n) == 0) {
        missing.push_back(name + " " + options_.counter_field + "=" + std::to_string(n));
      }
    }
  }
  return missing;
}

std::string CloudCollector::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

}  // namespace ef::testkit
