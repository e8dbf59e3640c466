// JetStreamPublisher: the Publisher for a NATS JetStream stream (libnats, asynchronous
// publishing), which makes delivery exactly-once: every message carries the id the forwarder
// gave it (OutgoingMessage::msg_id, the same on every resend), and the stream drops a message
// whose id it already stored within its duplicate window (acknowledging it as a duplicate).
//
// - Connection: the configured servers (a cluster), tried in turn, reconnecting for ever;
//   user/password, an NKey seed or a .creds file; TLS with a CA and a client certificate.
// - Stream: at every (re)connect a setup thread checks that the stream exists, and creates it
//   (subjects, duplicate window, replicas, storage) when create_stream allows. Connected() is
//   false until then, so nothing is published into the void.
// - Publishing: js_PublishMsgAsync with the id, the expected stream and a per-message ack
//   timeout; the window is bounded by the forwarder's max_inflight (MaxPending is set above
//   it, so a publish never blocks). Every outcome arrives in the ack handler and is reported
//   exactly once: an ack, duplicate or not -> kOk; no ack within the timeout, "no
//   responders" (a leader election, the cluster down), a lost connection -> kNotSent; a
//   refusal that can never succeed (stream not found or another stream expected, message
//   over the stream's size limit, over max_payload, headers included) -> kDrop; any other
//   refusal -> kRetry. After "no responders" or a timeout publishing pauses with a jittered
//   backoff (Connected() is false meanwhile); the forwarder resends every unacknowledged
//   message, in seq order, with the same ids. An `in_order` stream has one message in flight
//   (ApplyKind sets ForwarderOptions::in_order_inflight = 1), so the stream stores it in seq
//   order also across such failures.
//
// Thread-safety: Publish() and Connected() from any thread; Start/Stop from the owner, which
// owns the setup thread. No libnats type appears in this header.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/log.h"
#include "core/publisher.h"
#include "uplink/jetstream/jetstream_config.h"

namespace ef::uplink {

struct JetStreamSettings {
  JetStreamConfig js;
  std::string gateway_id;      // the connection's name: "edgeferry-<gateway>"
  std::string subject_filter;  // subjects of a created stream when js.subjects is empty
  std::string username, password;                // Default: none
  std::string ca_file, cert_file, key_file;      // Default: none (TLS with tls:// servers)
  bool verify_server = true;                     // Default: true
  size_t max_inflight = 100;                     // the forwarder's window
};

class JetStreamPublisher final : public Publisher {
 public:
  JetStreamPublisher(JetStreamSettings settings, const Clock& clock, Logger& log);
  ~JetStreamPublisher() override;
  JetStreamPublisher(const JetStreamPublisher&) = delete;
  JetStreamPublisher& operator=(const JetStreamPublisher&) = delete;

  // Sets up the connection (fails on unreadable credentials or certificates) and starts
  // connecting in the background.
  Status Start() override;
  // Closes the connection; publishes still pending are completed with kNotSent.
  void Stop() override;
  void Publish(const OutgoingMessage& message, Done done) override;
  bool Connected() const override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// "libnats 3.4.1" style version of the linked NATS library.
std::string NatsLibraryVersion();

}  // namespace ef::uplink
