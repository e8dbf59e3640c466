// StuckStore: a MemStore behind a gate. Append() blocks on the gate until Release(), as a
// commit on a hung disk would; everything else goes straight to the MemStore. For tests of
// what notices a stuck thread (systemd's watchdog). Thread-safe.
#pragma once

#include <condition_variable>
#include <mutex>

#include "tests/fakes/forwarding_store.h"

namespace ef::testing {

class StuckStore final : public ForwardingStore {
 public:
  // Appends block from now on, until Release().
  void Block() {
    std::lock_guard lock(mu_);
    blocked_ = true;
  }
  void Release() {
    std::lock_guard lock(mu_);
    blocked_ = false;
    cv_.notify_all();
  }
  bool Blocking() {  // an Append is waiting at the gate
    std::lock_guard lock(mu_);
    return waiting_ > 0;
  }

  Status Append(std::span<Event> events, std::span<const StateEntry> state) override {
    {
      std::unique_lock lock(mu_);
      ++waiting_;
      cv_.wait(lock, [&] { return !blocked_; });
      --waiting_;
    }
    return inner.Append(events, state);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool blocked_ = false;
  int waiting_ = 0;
};

}  // namespace ef::testing
