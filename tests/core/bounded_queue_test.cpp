#include <doctest/doctest.h>

#include <thread>

#include "core/bounded_queue.h"

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

}  // namespace ef
