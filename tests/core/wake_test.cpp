// A detached target is never woken again, even by a Wake() that raced with Detach().
#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <thread>

#include "core/wake.h"

namespace ef {
namespace {

TEST_CASE("Wake reaches the attached target and nothing after Detach") {
  WakeRelay relay;
  int woken = 0;
  relay.Wake();  // no target: nothing happens
  relay.Attach([&] { ++woken; });
  relay.Wake();
  CHECK(woken == 1);
  relay.Detach();
  relay.Wake();
  CHECK(woken == 1);
}

TEST_CASE("a target destroyed right after Detach is never called by a concurrent Wake") {
  WakeRelay relay;
  std::atomic<bool> stop{false};
  std::thread waker([&] {
    while (!stop.load()) relay.Wake();
  });
  for (int round = 0; round < 2000; ++round) {
    auto alive = std::make_unique<std::atomic<int>>(0);
    relay.Attach([target = alive.get()] { target->fetch_add(1); });
    relay.Detach();
    alive.reset();  // under ASan a late call would be a use-after-free
  }
  stop.store(true);
  waker.join();
}

}  // namespace
}  // namespace ef
