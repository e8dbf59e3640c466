#include "core/reconnector.h"

namespace ef {

Reconnector::Reconnector(std::string component, std::string peer, const Clock& clock,
                         Logger& log, BackoffPolicy policy, std::function<void()> attempt)
    : component_(std::move(component)), peer_(std::move(peer)), clock_(clock), log_(log),
      attempt_(std::move(attempt)), backoff_(policy) {}

Reconnector::~Reconnector() { Stop(); }

void Reconnector::Start() {
  {
    std::lock_guard lock(mu_);
    state_ = State::kWaiting;
    delay_ = std::chrono::milliseconds(0);
  }
  thread_ = std::thread([this] { Run(); });
}

void Reconnector::Stop() {
  {
    std::lock_guard lock(mu_);
    state_ = State::kStopped;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Reconnector::Pause() {
  std::lock_guard lock(mu_);
  if (state_ != State::kStopped) state_ = State::kPaused;
}

void Reconnector::Resume() {
  {
    std::lock_guard lock(mu_);
    if (state_ != State::kPaused) return;
    state_ = State::kWaiting;
    delay_ = std::chrono::milliseconds(0);
  }
  cv_.notify_all();
}

void Reconnector::Connected() {
  std::lock_guard lock(mu_);
  if (state_ == State::kStopped || state_ == State::kPaused) return;
  state_ = State::kConnected;
  backoff_.Reset();
  throttle_.Reset();
  std::string msg = "connected to " + peer_;
  if (failures_since_connect_ > 0) {
    msg += " after " + std::to_string(failures_since_connect_) + " failed attempts";
  }
  failures_since_connect_ = 0;
  log_.Info(component_, msg);
}

void Reconnector::Failed(const std::string& reason) {
  std::lock_guard lock(mu_);
  if (state_ != State::kConnecting) return;
  ScheduleRetryLocked("cannot connect to ", reason);
}

void Reconnector::Lost(const std::string& reason) {
  std::lock_guard lock(mu_);
  if (state_ != State::kConnected) return;
  log_.Warning(component_, "connection to " + peer_ + " lost (" + reason + "); reconnecting");
  state_ = State::kWaiting;
  delay_ = backoff_.NextDelay();
  cv_.notify_all();
}

void Reconnector::ScheduleRetryLocked(const std::string& what, const std::string& reason) {
  ++failures_since_connect_;
  state_ = State::kWaiting;
  delay_ = backoff_.NextDelay();
  uint64_t suppressed = 0;
  if (throttle_.Allow(clock_.Now(), &suppressed)) {
    log_.Warning(component_, what + peer_ + " (" + reason + "), attempt " +
                                 std::to_string(failures_since_connect_) + "; retrying with backoff");
  } else {
    log_.Debug(component_, what + peer_ + " (" + reason + "); next attempt in " +
                               std::to_string(delay_.count()) + " ms");
  }
  cv_.notify_all();
}

void Reconnector::Run() {
  std::unique_lock lock(mu_);
  while (state_ != State::kStopped) {
    if (state_ != State::kWaiting) {
      cv_.wait(lock, [&] { return state_ == State::kWaiting || state_ == State::kStopped; });
      continue;
    }
    // Wait out the backoff unless paused or stopped meanwhile.
    if (cv_.wait_for(lock, delay_, [&] { return state_ != State::kWaiting; })) continue;
    state_ = State::kConnecting;
    lock.unlock();
    attempt_();
    lock.lock();
  }
}

}  // namespace ef
