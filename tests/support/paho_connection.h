// One Paho C (MQTTAsync) client handle with a blocking, deadline-bounded Connect(). Shared by
// TestPublisher and CloudCollector; internal to ef_testkit and the bench tools.
//
// Owns the handle: Close() (also run by the destructor) disconnects within a bounded time and
// destroys it, after which Paho runs no callback of this client. Owners whose callbacks use
// their own members must call Close() first in their destructor.
//
// Paho C runs the callbacks of all clients of one process on one thread; callbacks here only
// record a result and notify a condition variable.
//
// Thread-safety: Connect() and Close() from one owning thread; Connected() from any thread.
#pragma once

#include <MQTTAsync.h>

#include <condition_variable>
#include <mutex>
#include <string>

#include "tests/support/wait.h"

namespace ef::testkit {

struct PahoOptions {
  std::string uri;        // e.g. "tcp://127.0.0.1:1883"
  std::string client_id;  // must be unique per broker
  // false keeps the session (subscriptions, queued QoS 1 messages) on the broker. Default: true.
  bool clean_session = true;
  // Reconnect by itself after a lost connection, retrying after 1 s, then every 2 s.
  bool auto_reconnect = false;
  // Protocol-level in-flight window. Default: 100.
  int max_inflight = 100;
};

class PahoConnection {
 public:
  // Creates the handle (no persistence). Throws std::runtime_error if Paho refuses.
  explicit PahoConnection(PahoOptions options);
  ~PahoConnection();

  PahoConnection(const PahoConnection&) = delete;
  PahoConnection& operator=(const PahoConnection&) = delete;

  // REQUIRES: not closed. Register callbacks on it before Connect().
  MQTTAsync handle() const { return handle_; }

  // Connects and blocks until CONNACK, failure or `deadline`. On failure returns false and
  // sets *error to Paho's reason.
  bool Connect(Deadline deadline, std::string* error);

  bool Connected() const;

  // Disconnects (waits at most ~2 s for it) and destroys the handle. Idempotent.
  void Close();

 private:
  enum class State { kIdle, kPending, kConnected, kFailed, kDisconnected };
  static void OnConnected(void* context, MQTTAsync_successData* data);
  static void OnConnectFailed(void* context, MQTTAsync_failureData* data);
  static void OnDisconnected(void* context, MQTTAsync_successData* data);
  void SetState(State state, std::string error = {});

  PahoOptions options_;
  MQTTAsync handle_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  State state_ = State::kIdle;
  std::string error_;
};

}  // namespace ef::testkit
