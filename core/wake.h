// WakeRelay: a wake-up line that outlives what it wakes.
//
// The pipeline thread calls Wake() after every committed group; the uplink attaches its
// forwarder while it runs and detaches it before destroying it (at a reload, at shutdown).
// Detach() returns only once no Wake() is running on the old target, so a target that was
// detached is never called again: nothing can wake a destroyed forwarder. Without a target,
// Wake() does nothing.
//
// Thread-safety: every method may be called from any thread. The target runs under the
// relay's lock, so it must be quick and must not call back into the relay.
#pragma once

#include <functional>
#include <mutex>
#include <utility>

namespace ef {

class WakeRelay {
 public:
  void Attach(std::function<void()> target) {
    std::lock_guard lock(mu_);
    target_ = std::move(target);
  }
  void Detach() {
    std::lock_guard lock(mu_);
    target_ = nullptr;
  }
  void Wake() {
    std::lock_guard lock(mu_);
    if (target_) target_();
  }

 private:
  std::mutex mu_;
  std::function<void()> target_;
};

}  // namespace ef
