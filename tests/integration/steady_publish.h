// A steady telemetry stream for tests that break the daemon while messages keep coming: a
// thread publishes TelemetryWorkload messages (message i goes to device i % devices with that
// device's counter n = i / devices) at a fixed rate, QoS 1, until Stop().
//
// Pacing: every 5 ms the thread publishes the messages due by then (rate x elapsed time); if
// the broker falls behind by more than 50 ms the schedule restarts from now instead of bursting
// to catch up, so the offered rate never exceeds `rate`.
//
// Owns its thread: Stop() (or the destructor) ends and joins it. published() may be read from
// any thread while it runs.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <thread>

#include "tests/support/wait.h"

namespace ef::testkit {

struct SteadyLoad {
  int devices = 20;
  int rate = 4000;  // messages per second
};

class SteadyPublish {
 public:
  SteadyPublish(std::string uri, SteadyLoad load);
  ~SteadyPublish();  // Stop(DeadlineIn(30 s)) if still running

  SteadyPublish(const SteadyPublish&) = delete;
  SteadyPublish& operator=(const SteadyPublish&) = delete;

  // Messages handed to the client so far (message indexes 0 .. published()-1).
  size_t published() const { return published_.load(std::memory_order_relaxed); }

  // Finishes the current round (so every device has the same number of messages), waits for
  // the PUBACK of every message, and joins. True if all were published and acknowledged before
  // `deadline`; otherwise error() says why.
  bool Stop(Deadline deadline);
  const std::string& error() const { return error_; }  // valid after Stop()
  const SteadyLoad& load() const { return load_; }

 private:
  void Run(const std::string& uri);

  SteadyLoad load_;
  std::atomic<bool> stop_{false};
  std::atomic<Deadline::rep> stop_deadline_{0};
  std::atomic<size_t> published_{0};
  bool ok_ = false;
  std::string error_;
  std::jthread thread_;  // last: starts after the fields it uses exist
};

}  // namespace ef::testkit
