#include <doctest/doctest.h>

#include "storage/budget.h"

namespace ef::storage {

StorePolicy Policy() {
  StorePolicy p;
  p.max_bytes = 1000;
  p.streams = {{"telemetry", 10, 300, 0, Overflow::kDropOldest},
               {"alerts", 100, 0, 0, Overflow::kRejectNew},
               {"bulk", 1, 0, 0, Overflow::kBackpressure}};
  return p;
}

TEST_CASE("within bounds everything is accepted") {
  const StorePolicy policy = Policy();
  Budget budget(policy);
  CHECK(budget.Admit("telemetry", 100).verdict == Budget::Verdict::kAccept);
  CHECK(budget.Admit("unknown", 100).verdict == Budget::Verdict::kAccept);
}

TEST_CASE("a stream bound applies the stream's policy") {
  const StorePolicy policy = Policy();
  Budget budget(policy);
  budget.Add("telemetry", 3, 300);
  const auto d = budget.Admit("telemetry", 50);
  CHECK(d.verdict == Budget::Verdict::kEvict);
  CHECK(d.victim == "telemetry");
  CHECK(d.need_bytes == 50);
}

TEST_CASE("an event larger than its stream bound is rejected, not looped on") {
  const StorePolicy policy = Policy();
  Budget budget(policy);
  CHECK(budget.Admit("telemetry", 400).verdict == Budget::Verdict::kReject);
}

TEST_CASE("the store bound evicts the lowest priority, never a higher one") {
  const StorePolicy policy = Policy();
  Budget budget(policy);
  budget.Add("telemetry", 2, 200);
  budget.Add("alerts", 7, 780);
  auto d = budget.Admit("telemetry", 100);
  CHECK(d.verdict == Budget::Verdict::kEvict);
  CHECK(d.victim == "telemetry");
  budget.Remove("telemetry", 2, 200);
  CHECK(budget.Admit("telemetry", 250).verdict == Budget::Verdict::kReject);  // only alerts left
  CHECK(budget.Admit("alerts", 250).verdict == Budget::Verdict::kReject);     // reject_new
  CHECK(budget.Admit("bulk", 250).verdict == Budget::Verdict::kBackpressure);
}

TEST_CASE("removing more than was added saturates at zero") {
  const StorePolicy policy = Policy();
  Budget budget(policy);
  budget.Add("telemetry", 1, 10);
  budget.Remove("telemetry", 5, 500);
  CHECK(budget.total().bytes == 0);
  CHECK(budget.Of("telemetry").events == 0);
}

TEST_CASE("a full disk clamps the capacity to what fits") {
  const StorePolicy policy = Policy();
  Budget budget(policy);
  budget.Add("alerts", 5, 500);
  budget.ClampToCurrent();
  CHECK(budget.capacity() == 490);
  budget.ClampToCurrent();  // the retry did not fit either: evict more next time
  CHECK(budget.capacity() == 481);
}

TEST_CASE("TryAdd adds exactly what Admit accepts") {
  const StorePolicy policy = Policy();
  Budget budget(policy);
  for (const char* stream : {"telemetry", "alerts", "bulk", "unknown"}) {
    for (uint64_t size : {50, 150, 250, 400}) {
      const bool accepted = budget.Admit(stream, size).verdict == Budget::Verdict::kAccept;
      const Usage before = budget.Of(stream);
      CHECK(budget.TryAdd(stream, size) == accepted);
      CHECK(budget.Of(stream).events == before.events + (accepted ? 1 : 0));
      CHECK(budget.Of(stream).bytes == before.bytes + (accepted ? size : 0));
    }
  }
  CHECK(budget.total().bytes <= 1000);
  CHECK(budget.Of("telemetry").bytes <= 300);
}

}  // namespace ef::storage
