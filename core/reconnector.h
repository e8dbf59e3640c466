// Reconnector: keeps one broker connection coming back, for any MQTT adapter.
//
// It owns one thread that starts a connect attempt (through the `attempt` callback, which must
// return quickly and later report the outcome with Connected() or Failed()), and after a
// failure or a lost connection waits a capped, jittered exponential backoff before the next.
// It never gives up: a gateway must not exit because a broker is unreachable. Logging says
// what happens without flooding: the first failure as a warning, then at most one summary
// per `summary_every`, and the recovery as info.
//
// Thread-safety: Connected/Failed/Lost may be called from any thread (typically the MQTT
// library's); Start/Stop from the owner. `attempt` runs on the reconnector's thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "core/backoff.h"
#include "core/clock.h"
#include "core/log.h"

namespace ef {

class Reconnector {
 public:
  Reconnector(std::string component, std::string peer, const Clock& clock, Logger& log,
              BackoffPolicy policy, std::function<void()> attempt);
  ~Reconnector();
  Reconnector(const Reconnector&) = delete;
  Reconnector& operator=(const Reconnector&) = delete;

  void Start();  // the first attempt starts at once
  void Stop();   // no attempt starts after this returns
  // While paused no attempt starts and outcomes are ignored; Resume() attempts at once.
  void Pause();
  void Resume();

  void Connected();
  void Failed(const std::string& reason);
  void Lost(const std::string& reason);

 private:
  enum class State { kIdle, kConnecting, kConnected, kWaiting, kPaused, kStopped };
  void Run();
  void ScheduleRetryLocked(const std::string& what, const std::string& reason);

  const std::string component_;
  const std::string peer_;
  const Clock& clock_;
  Logger& log_;
  std::function<void()> attempt_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  State state_ = State::kIdle;
  Backoff backoff_;
  std::chrono::milliseconds delay_{0};
  LogThrottle throttle_{std::chrono::seconds(30)};
  uint64_t failures_since_connect_ = 0;
  std::thread thread_;
};

}  // namespace ef
