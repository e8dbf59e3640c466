#include "tests/support/cloud_collector.h"

#include "tests/support/paho_connection.h"
#include "tests/support/zstd_frame.h"

namespace ef::testkit {

struct CloudCollector::PahoCallbacks {
  static int OnMessage(void* context, char* topic, int topic_len, MQTTAsync_message* message) {
    auto* self = static_cast<CloudCollector*>(context);
    const SteadyClock::time_point at = SteadyNow();
    std::string topic_text =
        topic_len > 0 ? std::string(topic, static_cast<size_t>(topic_len)) : std::string(topic);
    std::string body(static_cast<const char*>(message->payload),
                     static_cast<size_t>(message->payloadlen));
    MQTTAsync_freeMessage(&message);
    MQTTAsync_free(topic);
    {
      std::lock_guard lock(self->mu_);
      self->Record(std::move(topic_text), std::move(body), at);
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

namespace {

// edgeferry's birth/will payload {"client":"...","state":"online"|"offline"}, and its status
// summary, which starts the same way ({"client":..,"state":"online","summary":{...}}).
bool IsStatus(const Envelope& env) {
  return env.keys.size() >= 2 && env.keys[0] == "client" && env.keys[1] == "state";
}

bool IsBatchHeader(const Envelope& env) {
  for (const std::string& key : env.keys) {
    if (key == "first_seq") return true;
  }
  return false;
}

}  // namespace

void CloudCollector::Record(std::string topic, std::string message, SteadyClock::time_point at) {
  ++stats_.messages;
  Arrival arrival;
  arrival.topic = std::move(topic);
  arrival.wire_bytes = message.size();
  arrival.at = at;
  arrival.compressed = IsZstdTopic(arrival.topic);
  if (arrival.compressed) {
    std::optional<std::string> text = ZstdDecompress(message);
    if (!text) {
      ++stats_.unparsed;
      arrival.message = std::move(message);
      arrivals_.push_back(std::move(arrival));
      return;
    }
    message = std::move(*text);
  }
  arrival.message = std::move(message);
  std::optional<Envelope> env = parser_.Parse(arrival.message);
  if (env && IsStatus(*env)) {
    ++stats_.status_messages;
    status_.push_back({std::move(arrival.topic), std::move(arrival.message), at});
    return;
  }
  if (env && IsBatchHeader(*env)) {
    arrival.batch = parser_.ParseBatch(arrival.message);
    if (!arrival.batch) {
      ++stats_.unparsed;
    } else {
      ++stats_.batches;
      for (const Envelope& event : arrival.batch->events) {
        std::optional<int64_t> counter;
        if (event.payload) counter = parser_.IntField(*event.payload, options_.counter_field);
        RecordEvent(event, counter);
      }
    }
    arrivals_.push_back(std::move(arrival));
    return;
  }
  arrival.envelope = std::move(env);
  if (!arrival.envelope || arrival.envelope->device.empty() || !arrival.envelope->seq) {
    ++stats_.unparsed;
    arrivals_.push_back(std::move(arrival));
    return;
  }
  if (arrival.envelope->payload) {
    arrival.counter = parser_.IntField(*arrival.envelope->payload, options_.counter_field);
  }
  RecordEvent(*arrival.envelope, arrival.counter);
  arrivals_.push_back(std::move(arrival));
}

void CloudCollector::RecordEvent(const Envelope& env, std::optional<int64_t> counter) {
  ++stats_.received;
  if (env.device.empty() || !env.seq) {
    ++stats_.unparsed;
    return;
  }
  DeviceState& device = devices_[env.device];
  int64_t seq = *env.seq;
  auto owner = std::make_pair(env.device, counter);
  auto [known, first_use] = owner_by_seq_.emplace(seq, owner);
  if (!first_use && known->second != owner) ++stats_.seq_reused;
  bool new_seq = device.seqs.insert(seq).second;
  bool new_identity = new_seq;
  if (!new_seq) ++stats_.duplicate_seq;
  if (counter) {
    auto [it, new_counter] = device.seq_by_counter.emplace(*counter, seq);
    if (!new_counter && it->second != seq) ++stats_.reingested;
    new_identity = new_counter;
  }
  if (new_identity) {
    ++stats_.unique;
    bool late_seq = device.max_seq && seq <= *device.max_seq;
    bool late_counter = counter && device.max_counter && *counter <= *device.max_counter;
    if (late_seq || late_counter) ++stats_.out_of_order;
  }
  if (!device.max_seq || seq > *device.max_seq) device.max_seq = seq;
  if (counter && (!device.max_counter || *counter > *device.max_counter)) {
    device.max_counter = counter;
  }
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

std::vector<StatusMessage> CloudCollector::StatusMessages() const {
  std::lock_guard lock(mu_);
  return status_;
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
