// Publisher: sends one message to the cloud and reports, asynchronously, what became of it.
//
// Publish() never blocks on the network. `done` is called exactly once, from any thread
// (often the MQTT library's), with kOk once the broker acknowledged the message (for QoS 0:
// once it was written), kNotSent when the message never left this process (not connected),
// kRetry when it was sent but the connection was lost before the ack (a later attempt may
// succeed; the broker may also have dropped the connection because of this message), or kDrop
// when it can never succeed (too large, invalid topic). Only kRetry says anything about the
// message itself. `done` must not block. Implementations are thread-safe.
#pragma once

#include <functional>
#include <string>

#include "core/status.h"

namespace ef {

enum class PublishResult { kOk, kNotSent, kRetry, kDrop };

struct OutgoingMessage {
  std::string topic;
  std::string payload;
  int qos = 1;
  // The same on every resend of the same events ("<gateway>-<seq>", or a batch's id); a
  // deduplicating cloud (JetStream) stores a message once per id. "" = none.
  std::string msg_id;
};

class Publisher {
 public:
  using Done = std::function<void(PublishResult)>;
  virtual ~Publisher() = default;
  // Starts connecting in the background; fails only when the publisher cannot be set up
  // (bad URI, unreadable certificate). Stop() disconnects; publishes still pending are
  // completed (kRetry) before it returns. Both from the owner thread.
  virtual Status Start() { return Status::Ok(); }
  virtual void Stop() {}
  virtual void Publish(const OutgoingMessage& message, Done done) = 0;
  // True while a connection is up; a hint for pacing, not a promise.
  virtual bool Connected() const = 0;
};

}  // namespace ef
