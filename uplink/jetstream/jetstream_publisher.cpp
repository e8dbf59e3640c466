// JetStreamPublisher, part 2: asynchronous publishing with message ids and the ack handler,
// where every outcome of a publish arrives (libnats reports async errors nowhere else).
#include "uplink/jetstream/jetstream_publisher.h"

#include <array>

#include "uplink/jetstream/jetstream_impl.h"

namespace ef::uplink {
namespace {
constexpr char kComponent[] = "uplink";

// Refusals by the stream that no retry can turn into success: dead letters.
constexpr std::array<int, 4> kPermanentCodes = {
    JSStreamNotFoundErr,               // the stream is gone
    JSStreamNotMatchErr,               // the subject belongs to another stream
    JSStreamMessageExceedsMaximumErr,  // over the stream's max_msg_size
    JSStreamInvalidConfig,
};

bool Permanent(int code) {
  for (const int c : kPermanentCodes) {
    if (c == code) return true;
  }
  return false;
}

// What a failed publish means for the message; `hold` = pause publishing for a while.
PublishResult Classify(natsStatus err, int code, bool* hold) {
  *hold = false;
  if (code != 0) return Permanent(code) ? PublishResult::kDrop : PublishResult::kRetry;
  switch (err) {
    case NATS_MAX_PAYLOAD:
      return PublishResult::kDrop;
    case NATS_NO_RESPONDERS:  // leader election, or the stream's servers are down
    case NATS_TIMEOUT:        // no ack in time: lost, or the stream is slow
      *hold = true;
      return PublishResult::kNotSent;
    default:  // the connection was lost or closed: the message never counted
      return PublishResult::kNotSent;
  }
}
}  // namespace

JetStreamPublisher::JetStreamPublisher(JetStreamSettings settings, const Clock& clock,
                                       Logger& log)
    : impl_(std::make_unique<Impl>(std::move(settings), clock, log)) {}

JetStreamPublisher::~JetStreamPublisher() { Stop(); }

Status JetStreamPublisher::Start() {
  Status s = impl_->Open();
  if (!s.ok()) impl_->Close();
  return s;
}

void JetStreamPublisher::Stop() {
  if (impl_->options == nullptr && impl_->connection == nullptr) return;
  impl_->Close();
}

bool JetStreamPublisher::Connected() const {
  if (!impl_->stream_ready || impl_->connection == nullptr) return false;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->clock.Now() < impl_->hold_until) return false;
  }
  return natsConnection_Status(impl_->connection) == NATS_CONN_STATUS_CONNECTED;
}

void JetStreamPublisher::Publish(const OutgoingMessage& message, Done done) {
  if (!Connected()) {
    done(PublishResult::kNotSent);
    return;
  }
  natsMsg* msg = nullptr;
  natsStatus st = natsMsg_Create(&msg, message.topic.c_str(), nullptr, message.payload.data(),
                                 static_cast<int>(message.payload.size()));
  if (st != NATS_OK) {
    done(PublishResult::kDrop);  // an invalid subject
    return;
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MsgId = message.msg_id.empty() ? nullptr : message.msg_id.c_str();
  po.ExpectStream = impl_->settings.js.stream.c_str();
  po.MaxWait = impl_->settings.js.ack_timeout_ms;  // per message: a lost ack ends here
  natsMsg* key = msg;
  {
    // Registered first: the ack may arrive before js_PublishMsgAsync returns.
    std::lock_guard lock(impl_->mu);
    impl_->pending.emplace(key, std::move(done));
  }
  st = js_PublishMsgAsync(impl_->js, &msg, &po);
  if (st == NATS_OK) return;  // libnats owns the message; the ack handler settles it
  Done mine;
  {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->pending.find(key);
    mine = std::move(it->second);
    impl_->pending.erase(it);
  }
  natsMsg_Destroy(msg);
  bool hold = false;
  const PublishResult result = Classify(st, 0, &hold);
  if (result == PublishResult::kDrop) {
    impl_->log.Error(kComponent, "JetStream refused message " + message.msg_id + " (" +
                                     std::to_string(message.payload.size()) +
                                     " bytes): " + natsStatus_GetText(st));
  }
  if (hold) impl_->Hold(natsStatus_GetText(st));
  mine(result);
}

void JetStreamPublisher::Impl::OnAck(natsMsg* msg, jsPubAck* ack, jsPubAckErr* error) {
  Done done;
  {
    std::lock_guard lock(mu);
    if (auto it = pending.find(msg); it != pending.end()) {
      done = std::move(it->second);
      pending.erase(it);
    }
  }
  PublishResult result = PublishResult::kOk;
  if (ack != nullptr) {
    // Stored before (a resend): as good as stored now. Said once per connection.
    if (ack->Duplicate && duplicates++ == 0) {
      log.Info(kComponent, std::string("JetStream acknowledged a resent message as duplicate "
                                       "(stored before, not stored again): ") +
                               (ack->Stream != nullptr ? ack->Stream : "") + " seq " +
                               std::to_string(ack->Sequence));
    }
    std::lock_guard lock(mu);
    backoff.Reset();
  } else {
    const natsStatus err = error != nullptr ? error->Err : NATS_ERR;
    const int code = error != nullptr ? static_cast<int>(error->ErrCode) : 0;
    bool hold = false;
    result = Classify(err, code, &hold);
    if (result != PublishResult::kNotSent) {
      const char* text = error != nullptr && error->ErrText != nullptr ? error->ErrText : "";
      log.Error(kComponent, std::string("JetStream refused a message: ") + natsStatus_GetText(err) +
                                " (error code " + std::to_string(code) + ") " + text);
    }
    if (hold) Hold(natsStatus_GetText(err));
  }
  natsMsg_Destroy(msg);
  if (done) done(result);
}

void JetStreamPublisher::Impl::Hold(const std::string& why) {
  std::lock_guard lock(mu);
  const Clock::TimePoint now = clock.Now();
  if (now < hold_until) return;  // one backoff step per pause, not per message
  if (backoff.failures() == 0) held_since = now;
  const auto delay = backoff.NextDelay();
  hold_until = now + delay;
  log.Debug(kComponent, "JetStream publish failed (" + why + "); resending unacknowledged "
                        "messages in " + std::to_string(delay.count()) + " ms");
  // An election passes in seconds; a pause that lasts means the stream is missing, does not
  // take the subject, or its servers are down. Said at most once a minute while it lasts.
  constexpr auto kLongPause = std::chrono::seconds(30);
  if (now - held_since >= kLongPause &&
      (!stall_warned || now - *stall_warned >= std::chrono::minutes(1))) {
    stall_warned = now;
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - held_since);
    log.Warning(kComponent, "JetStream has acknowledged nothing for " +
                             std::to_string(seconds.count()) + " s (" + why +
                             "): check that the stream's servers are up and that the stream "
                             "takes the subject; every unacknowledged message is resent");
  }
}

std::string NatsLibraryVersion() { return std::string("libnats ") + nats_GetVersion(); }

}  // namespace ef::uplink
