#include "bench/uplink_counter.h"

#include <cstdlib>

namespace ef::bench {

namespace {

// The unsigned integer after the first `"key":` in `text` (header keys come before the
// events, so the first match is the header's or the envelope's own).
std::optional<uint64_t> IntAfter(std::string_view text, std::string_view quoted_key_colon) {
  const size_t at = text.find(quoted_key_colon);
  if (at == std::string_view::npos) return std::nullopt;
  uint64_t value = 0;
  size_t i = at + quoted_key_colon.size();
  if (i >= text.size() || text[i] < '0' || text[i] > '9') return std::nullopt;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    value = value * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  return value;
}

bool IsStatus(std::string_view payload) {
  return payload.starts_with("{\"client\":") && payload.find("\"state\":") != std::string::npos;
}

}  // namespace

UplinkCounter::UplinkCounter(std::string uri, uint64_t max_seq, int qos)
    : max_seq_(max_seq),
      qos_(qos),
      conn_(testkit::PahoOptions{.uri = std::move(uri),
                                 .client_id = "ef-bench-uplink-counter",
                                 .clean_session = true,
                                 .auto_reconnect = false,
                                 .max_inflight = 100}),
      seen_(max_seq + 1, false) {
  MQTTAsync_setCallbacks(conn_.handle(), this, nullptr, &UplinkCounter::OnMessage, nullptr);
}

UplinkCounter::~UplinkCounter() { conn_.Close(); }

bool UplinkCounter::Start(testkit::Deadline deadline, std::string* error) {
  if (!conn_.Connect(deadline, error)) return false;
  MQTTAsync_responseOptions response = MQTTAsync_responseOptions_initializer;
  response.onSuccess = &UplinkCounter::OnSubscribed;
  response.context = this;
  if (MQTTAsync_subscribe(conn_.handle(), "edgeferry/#", qos_, &response) != MQTTASYNC_SUCCESS) {
    *error = "subscribe refused";
    return false;
  }
  std::unique_lock lock(mu_);
  if (testkit::WaitOnCondition(cv_, lock, deadline, [&] { return subscribed_; })) return true;
  *error = "subscribe timed out";
  return false;
}

void UplinkCounter::Reset() {
  std::lock_guard lock(mu_);
  seen_.assign(max_seq_ + 1, false);
  counts_ = CounterSnapshot{};
}

bool UplinkCounter::WaitForDistinct(uint64_t distinct, testkit::Deadline deadline) {
  std::unique_lock lock(mu_);
  return testkit::WaitOnCondition(cv_, lock, deadline,
                                  [&] { return counts_.distinct >= distinct; });
}

bool UplinkCounter::WaitForFirst(testkit::Deadline deadline) {
  std::unique_lock lock(mu_);
  return testkit::WaitOnCondition(cv_, lock, deadline, [&] { return counts_.first.has_value(); });
}

CounterSnapshot UplinkCounter::Snapshot() const {
  std::lock_guard lock(mu_);
  return counts_;
}

int UplinkCounter::OnMessage(void* context, char* topic, int, MQTTAsync_message* message) {
  auto* self = static_cast<UplinkCounter*>(context);
  const auto at = testkit::SteadyNow();
  std::string_view payload(static_cast<const char*>(message->payload),
                           static_cast<size_t>(message->payloadlen));
  if (!IsStatus(payload)) {
    std::lock_guard lock(self->mu_);
    if (!self->counts_.first) self->counts_.first = at;
    self->counts_.last = at;
    ++self->counts_.messages;
    self->counts_.bytes += payload.size();
    self->Record(payload);
  }
  MQTTAsync_freeMessage(&message);
  MQTTAsync_free(topic);
  self->cv_.notify_all();
  return 1;
}

void UplinkCounter::OnSubscribed(void* context, MQTTAsync_successData*) {
  auto* self = static_cast<UplinkCounter*>(context);
  {
    std::lock_guard lock(self->mu_);
    self->subscribed_ = true;
  }
  self->cv_.notify_all();
}

void UplinkCounter::Mark(uint64_t seq) {
  ++counts_.events;
  if (seq <= max_seq_ && !seen_[seq]) {
    seen_[seq] = true;
    ++counts_.distinct;
  }
}

void UplinkCounter::Record(std::string_view payload) {
  const bool check = counts_.messages % 100 == 1;
  const std::optional<uint64_t> first = IntAfter(payload, "\"first_seq\":");
  if (!first) {  // one envelope per message
    const std::optional<uint64_t> seq = IntAfter(payload, "\"seq\":");
    if (!seq || (check && !parser_.Parse(payload))) {
      ++counts_.malformed;
      return;
    }
    Mark(*seq);
    return;
  }
  const std::optional<uint64_t> last = IntAfter(payload, "\"last_seq\":");
  const std::optional<uint64_t> count = IntAfter(payload, "\"count\":");
  if (!check && last && count && *last >= *first && *count == *last - *first + 1) {
    for (uint64_t seq = *first; seq <= *last; ++seq) Mark(seq);
    return;
  }
  std::optional<testkit::Batch> batch = parser_.ParseBatch(payload);
  if (!batch || batch->events.empty()) {
    ++counts_.malformed;
    return;
  }
  for (const testkit::Envelope& e : batch->events) {
    if (e.seq) {
      Mark(static_cast<uint64_t>(*e.seq));
    } else {
      ++counts_.malformed;
    }
  }
}

}  // namespace ef::bench
