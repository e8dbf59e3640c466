#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "core/bounded_queue.h"
#include "tests/fakes/wait.h"

namespace ef {
using namespace std::chrono_literals;

TEST_CASE("PopBatch returns items in order, at most max") {
  BoundedQueue<int> q(10);
  for (int i = 0; i < 5; ++i) REQUIRE(q.Push(i));
  std::vector<int> out;
  REQUIRE(q.PopBatch(&out, 3, 0ms, 0ms));
  CHECK(out == std::vector<int>{0, 1, 2});
  out.clear();
  REQUIRE(q.PopBatch(&out, 10, 0ms, 0ms));
  CHECK(out == std::vector<int>{3, 4});
}

TEST_CASE("a full queue blocks the producer until the consumer makes room") {
  BoundedQueue<int> q(2);
  REQUIRE(q.Push(1));
  REQUIRE(q.Push(2));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    pushed = q.Push(3);
  });
  std::vector<int> out;
  REQUIRE(q.PopBatch(&out, 1, 1s, 0ms));
  producer.join();  // returns only once Push(3) got its place
  CHECK(pushed);
  out.clear();
  REQUIRE(q.PopBatch(&out, 10, 1s, 0ms));
  CHECK(out == std::vector<int>{2, 3});
}

TEST_CASE("after Close, queued items are still delivered, then PopBatch reports the end") {
  BoundedQueue<int> q(4);
  REQUIRE(q.Push(7));
  q.Close();
  CHECK_FALSE(q.Push(8));
  std::vector<int> out;
  CHECK(q.PopBatch(&out, 10, 1s, 1s));
  CHECK(out == std::vector<int>{7});
  out.clear();
  CHECK_FALSE(q.PopBatch(&out, 10, 1s, 1s));
}

TEST_CASE("Close wakes a producer blocked on a full queue") {
  BoundedQueue<int> q(1);
  REQUIRE(q.Push(1));
  std::thread producer([&] { CHECK_FALSE(q.Push(2)); });
  q.Close();
  producer.join();
}

// Producers wake the consumer only when what it waits for has come: these would hang for the
// hour-long waits below if a wake were missed, so each is bounded by a deadline and Close().
TEST_CASE("a consumer waiting for a first item, then lingering for max, wakes as they come") {
  BoundedQueue<int> q(100);
  std::vector<int> out;
  std::atomic<bool> returned{false};
  std::thread consumer([&] {
    q.PopBatch(&out, 3, 1h, 1h);
    returned = true;
  });
  REQUIRE(q.PushNoWait(1));  // the first item: the consumer now lingers for 3
  REQUIRE(q.PushNoWait(2));
  CHECK_FALSE(returned.load());  // two of three: still lingering
  REQUIRE(q.PushNoWait(3));
  const bool woke = testing::WaitUntil([&] { return returned.load(); }, std::chrono::seconds(30));
  q.Close();  // frees the consumer if the wake was missed
  consumer.join();
  CHECK(woke);
  CHECK(out == std::vector<int>{1, 2, 3});
}

TEST_CASE("a lingering consumer still takes items pushed with Push") {
  BoundedQueue<int> q(10);
  std::vector<int> out;
  std::atomic<bool> returned{false};
  std::thread consumer([&] {
    q.PopBatch(&out, 2, 1h, 1h);
    returned = true;
  });
  REQUIRE(q.Push(1));
  REQUIRE(q.Push(2));
  const bool woke = testing::WaitUntil([&] { return returned.load(); }, std::chrono::seconds(30));
  q.Close();
  consumer.join();
  CHECK(woke);
  CHECK(out == std::vector<int>{1, 2});
}

}  // namespace ef
