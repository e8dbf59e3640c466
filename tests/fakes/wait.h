// WaitUntil: waits for a condition with a deadline (checking it every millisecond), for
// unit tests whose condition has no notification of its own. Returns the last value.
#pragma once

#include <chrono>
#include <thread>

namespace ef::testing {

template <class Predicate>
bool WaitUntil(Predicate predicate, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() >= deadline) return predicate();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace ef::testing
