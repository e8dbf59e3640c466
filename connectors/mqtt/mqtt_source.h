// MqttSource: subscribes to a broker (Paho C asynchronous client, persistent session) and
// turns each message into an Event pushed to the pipeline's EventSink.
//
// - The session is persistent (clean_session=false, fixed client id), so the broker keeps
//   queuing QoS 1 messages while edgeferry is down or restarting.
// - Paho runs the callbacks of every client in the process on one thread that holds Paho's
//   lock, so the message callback only converts and hands over, never blocking. When the
//   pipeline falls behind, the daemon calls Pause(): the source disconnects and the broker
//   keeps queuing for the persistent session until Resume() (backpressure).
// - Connection failures are retried for ever with jittered backoff (core/reconnector.h).
// - Paho acknowledges a QoS 1 message before the application sees it: a crash can lose what
//   was received but not yet committed (at most one commit interval). Stop() therefore
//   disconnects first and only then lets the caller close the sink, so a clean stop loses
//   nothing.
//
// Counts every message it received in the registry's edgeferry_events_received_total
// {source=<name>,kind="mqtt"}, which outlives the source (a restarted source adds to it).
//
// Thread-safety: Start/Stop from the owner thread; Ready() from any thread.
// No Paho type appears in this header.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "connectors/mqtt/mqtt_config.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/source.h"

namespace ef::connectors {

class MqttSource final : public Source {
 public:
  // REQUIRES: config.client_id is set (the daemon fills in the default).
  MqttSource(MqttSourceConfig config, const Clock& clock, Logger& log, MetricsRegistry& metrics);
  ~MqttSource() override;
  MqttSource(const MqttSource&) = delete;
  MqttSource& operator=(const MqttSource&) = delete;

  const std::string& name() const override { return config_.name; }
  // Creates the client and starts connecting in the background. Fails only on a client that
  // cannot be created (bad URI); an unreachable broker is retried.
  Status Start(EventSink& sink) override;
  // Disconnects (no message is delivered after it returns) and joins the reconnect thread.
  void Stop() override;
  bool Ready() const override;
  void Pause() override;
  void Resume() override;

 private:
  struct Impl;
  MqttSourceConfig config_;
  const Clock& clock_;
  Logger& log_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ef::connectors
