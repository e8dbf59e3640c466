// RecordingPublisher: a Publisher that records every message and leaves its completion to the
// test: CompleteNext(result) completes the oldest outstanding publish. Connected() is
// settable. Thread-safe; WaitForOutstanding() blocks on a condition with a deadline.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <vector>

#include "core/publisher.h"

namespace ef::testing {

class RecordingPublisher final : public Publisher {
 public:
  void Publish(const OutgoingMessage& message, Done done) override {
    std::lock_guard lock(mu_);
    sent_.push_back(message);
    if (!connected_) {
      done(PublishResult::kNotSent);
      return;
    }
    outstanding_.push_back(std::move(done));
    cv_.notify_all();
  }
  bool Connected() const override {
    std::lock_guard lock(mu_);
    return connected_;
  }
  void SetConnected(bool connected) {
    std::lock_guard lock(mu_);
    connected_ = connected;
  }
  // Waits until at least `n` publishes are outstanding; false on timeout.
  bool WaitForOutstanding(size_t n, std::chrono::seconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return outstanding_.size() >= n; });
  }
  // Completes the oldest outstanding publish. REQUIRES: one is outstanding.
  void CompleteNext(PublishResult result) {
    Done done;
    {
      std::lock_guard lock(mu_);
      done = std::move(outstanding_.front());
      outstanding_.pop_front();
    }
    done(result);
  }
  size_t outstanding() const {
    std::lock_guard lock(mu_);
    return outstanding_.size();
  }
  std::vector<OutgoingMessage> sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool connected_ = true;
  std::vector<OutgoingMessage> sent_;
  std::deque<Done> outstanding_;
};

}  // namespace ef::testing
