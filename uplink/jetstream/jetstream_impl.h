// The inside of JetStreamPublisher, shared by its two source files (the connection and stream
// setup in jetstream_connection.cpp, publishing and acks in jetstream_publisher.cpp). Private
// to uplink/jetstream: the only header that includes <nats.h>.
//
// Threads: the owner (Start/Stop), the forwarder (Publish, Connected), libnats' connection
// threads (connection callbacks, the ack handler) and the setup thread, which Impl owns and
// joins in Stop(). `mu` guards what is marked so; the rest is set before the threads start.
#pragma once

#include <nats/nats.h>

#include <atomic>
#include <optional>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "core/backoff.h"
#include "uplink/jetstream/jetstream_publisher.h"

namespace ef::uplink {

struct JetStreamPublisher::Impl {
  // How long Close() waits for libnats' closed callback (it comes at once on a live process).
  static constexpr std::chrono::seconds kClosedWait{5};

  Impl(JetStreamSettings settings_in, const Clock& clock_in, Logger& log_in)
      : settings(std::move(settings_in)), clock(clock_in), log(log_in) {}

  // jetstream_connection.cpp
  Status Open();             // options, connection (connecting in the background), context
  void Close();              // closes and frees everything; completes what is pending
  void SetupLoop();          // the setup thread: checks (or creates) the stream when needed
  bool CheckStream();        // true when the stream exists (created if allowed)
  void OnConnected(bool reconnected);
  void OnDisconnected();
  std::string ConnectedUrl();

  // jetstream_publisher.cpp
  void OnAck(natsMsg* msg, jsPubAck* ack, jsPubAckErr* error);
  void Hold(const std::string& why);  // pauses publishing for a backoff delay

  const JetStreamSettings settings;
  const Clock& clock;
  Logger& log;

  natsOptions* options = nullptr;
  natsConnection* connection = nullptr;
  jsCtx* js = nullptr;
  std::thread setup;

  std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<natsMsg*, Done> pending;  // guarded by mu: published, not yet settled
  bool stopping = false;                       // guarded by mu
  bool closed = false;                         // guarded by mu: libnats' closed callback ran
  bool check_stream = true;                    // guarded by mu: setup should look again
  Clock::TimePoint hold_until{};               // guarded by mu
  Clock::TimePoint held_since{};               // guarded by mu: first failure since an ack
  std::optional<Clock::TimePoint> stall_warned;  // guarded by mu: last warning of a long pause
  Backoff backoff{BackoffPolicy{std::chrono::milliseconds(100), std::chrono::milliseconds(250),
                                std::chrono::milliseconds(5000)}};  // guarded by mu
  std::atomic<bool> stream_ready{false};  // the stream was found (or made) since the connect
  std::atomic<bool> stream_missing{false};  // it verifiably does not exist (and may not be made)
  std::atomic<uint64_t> duplicates{0};      // acks that said "duplicate"
};

}  // namespace ef::uplink
