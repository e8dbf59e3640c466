// MqttPublisher: the Publisher for an MQTT cloud broker (Paho C asynchronous client).
//
// TLS (ssl:// URIs) verifies the server by default (CA file or the system store, host name),
// and presents a client certificate when configured (mutual TLS, as AWS IoT Core wants). A
// failed handshake is reported in one log line with OpenSSL's reason ("certificate verify
// failed", ...) and retried with backoff. A private key readable by others gets a warning;
// passwords and keys are never logged. Several URIs (cluster nodes) are tried in turn. A
// retained "online" message goes to the status topic on every connect; the broker publishes
// the "offline" will when the connection dies.
//
// The session is clean: the local Store, not the broker, remembers what still has to be
// sent, and the Forwarder resends it after a reconnect. Every publish's completion is
// reported exactly once: kOk on PUBACK, kNotSent when Paho did not take it (not connected),
// kRetry when the connection was lost before the PUBACK, kDrop for a message Paho rejects as invalid. Reconnects follow
// core/reconnector.h (jittered backoff, never gives up).
//
// Thread-safety: Publish() and Connected() from any thread; Start/Stop from the owner.
// No Paho type appears in this header.
#pragma once

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/log.h"
#include "core/publisher.h"
#include "uplink/uplink_config.h"

namespace ef::uplink {

class MqttPublisher final : public Publisher {
 public:
  // REQUIRES: ApplyUplinkProfile(config) was called (client id, limits are set).
  MqttPublisher(UplinkConfig config, std::string gateway_id, const Clock& clock, Logger& log);
  ~MqttPublisher() override;
  MqttPublisher(const MqttPublisher&) = delete;
  MqttPublisher& operator=(const MqttPublisher&) = delete;

  // Creates the client and starts connecting in the background.
  Status Start() override;
  // Disconnects; publishes still pending are completed with kRetry.
  void Stop() override;

  void Publish(const OutgoingMessage& message, Done done) override;
  bool Connected() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "Paho MQTT C 1.3.12" style version of the linked MQTT library.
std::string MqttLibraryVersion();

// Sets the MQTT library up for the whole process (the uplink's and the MQTT sources'
// clients): OpenSSL is left to initialise itself when a TLS connection first needs it
// (OpenSSL 3 does so), instead of Paho loading all of it at its first client, which costs
// about 1.5 MB of resident memory even when no connection uses TLS.
// REQUIRES: called once, from main(), before any thread starts and any MQTT client exists:
// Paho's global init re-creates its global mutexes, so a call while a client runs can hang it.
void InitMqttLibrary();

}  // namespace ef::uplink
