// Publisher: sends one message to the cloud and reports, asynchronously, what became of it.
//
// Publish() never blocks on the network. `done` is called exactly once, from any thread
// (often the MQTT library's), with kOk once the broker acknowledged the message (for QoS 0:
// once it was written), kRetry when this attempt failed but a later one may succeed (not
// connected, connection lost before the ack), or kDrop when it can never succeed (too large,
// invalid topic). `done` must not block. Implementations are thread-safe.
#pragma once

#include <functional>
#include <string>

#include "core/status.h"

namespace ef {

enum class PublishResult { kOk, kRetry, kDrop };

struct OutgoingMessage {
  std::string topic;
  std::string payload;
  int qos = 1;
};

class Publisher {
 public:
  using Done = std::function<void(PublishResult)>;
  virtual ~Publisher() = default;
  virtual void Publish(const OutgoingMessage& message, Done done) = 0;
  // True while a connection is up; a hint for pacing, not a promise.
  virtual bool Connected() const = 0;
};

}  // namespace ef
