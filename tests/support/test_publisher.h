// An MQTT publisher for tests and the load generator: publishes with a bounded number of
// unacknowledged messages and can wait until every one of them has been acknowledged.
//
// Publish() blocks while `max_inflight` messages await their PUBACK (QoS 1/2; for QoS 0,
// until Paho has written them), so the broker sets the pace. Acknowledgements arrive on Paho's
// callback thread, which only counts them and notifies a condition variable.
//
// Thread-safety: Connect/Publish/WaitAllAcked from one thread; the counters from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "tests/support/wait.h"

namespace ef::testkit {

class PahoConnection;

struct PublisherOptions {
  std::string uri;
  std::string client_id = "ef-test-publisher";
  int qos = 1;                // Default: 1
  size_t max_inflight = 100;  // Default: 100 (faster than 1000 with Paho and Mosquitto)
};

class TestPublisher {
 public:
  explicit TestPublisher(PublisherOptions options);
  ~TestPublisher();  // Disconnects; unacknowledged messages are abandoned.

  TestPublisher(const TestPublisher&) = delete;
  TestPublisher& operator=(const TestPublisher&) = delete;

  // Connects (clean session). Returns false and fills error() on failure or at the deadline.
  bool Connect(Deadline deadline);

  // Hands one message to Paho, first waiting until fewer than max_inflight are in flight.
  // Returns false if the deadline passed while waiting or Paho refused the message (error()).
  bool Publish(const std::string& topic, std::string_view payload, Deadline deadline);

  // Waits until every published message is acknowledged or failed. Returns true if all were
  // acknowledged, false if any failed or the deadline passed.
  bool WaitAllAcked(Deadline deadline);

  size_t published() const;
  size_t acked() const;
  size_t failed() const;
  std::string error() const;

 private:
  struct PahoCallbacks;  // Paho's C callbacks, defined in the .cpp
  friend struct PahoCallbacks;
  void Settle(bool ok);

  PublisherOptions options_;
  std::unique_ptr<PahoConnection> conn_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  size_t published_ = 0;
  size_t acked_ = 0;
  size_t failed_ = 0;
  std::string error_;
};

}  // namespace ef::testkit
