// Coalescing points into requests within the protocol limits, and splitting rejected reads.
#include <doctest/doctest.h>

#include <vector>

#include "connectors/modbus/read_plan.h"

namespace ef::connectors::modbus {
namespace {

PlannedPoint Reg(uint32_t address, uint32_t count = 1, int slave = 1,
                 RegisterKind kind = RegisterKind::kHolding) {
  return PlannedPoint{slave, kind, address, count};
}

TEST_CASE("contiguous and close points are read in one request") {
  const std::vector<PlannedPoint> points = {Reg(2, 2), Reg(0), Reg(1), Reg(14)};
  const auto blocks = PlanReads(points, CoalesceLimits{10, 125, 2000});
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].start == 0);
  CHECK(blocks[0].count == 15);
  CHECK(blocks[0].points == std::vector<size_t>{1, 2, 0, 3});  // address order
}

TEST_CASE("a gap wider than max_gap starts a new request") {
  const std::vector<PlannedPoint> points = {Reg(0), Reg(12)};
  CHECK(PlanReads(points, CoalesceLimits{10, 125, 2000}).size() == 2);
  CHECK(PlanReads(points, CoalesceLimits{11, 125, 2000}).size() == 1);
  CHECK(PlanReads(points, CoalesceLimits{0, 125, 2000}).size() == 2);
}

TEST_CASE("a request never exceeds 125 registers; a point is never cut") {
  std::vector<PlannedPoint> points;
  for (uint32_t a = 0; a < 124; ++a) points.push_back(Reg(a));
  points.push_back(Reg(124, 2));  // a FLOAT32 at the last register of a 125-register read
  const auto blocks = PlanReads(points, CoalesceLimits{});
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[0].count == 124);
  CHECK(blocks[1].start == 124);
  CHECK(blocks[1].count == 2);
  for (const auto& b : blocks) CHECK(b.count <= kMaxReadRegisters);
}

TEST_CASE("bits coalesce up to 2000 per request") {
  std::vector<PlannedPoint> points;
  for (uint32_t a = 0; a < 2001; ++a) points.push_back(Reg(a, 1, 1, RegisterKind::kCoil));
  const auto blocks = PlanReads(points, CoalesceLimits{});
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[0].count == 2000);
  CHECK(blocks[1].count == 1);
}

TEST_CASE("slaves and register kinds are never mixed in a request") {
  const std::vector<PlannedPoint> points = {Reg(0, 1, 1), Reg(1, 1, 2),
                                            Reg(2, 1, 1, RegisterKind::kInput)};
  const auto blocks = PlanReads(points, CoalesceLimits{});
  CHECK(blocks.size() == 3);
}

TEST_CASE("bits of one register share it") {
  const std::vector<PlannedPoint> points = {Reg(5), Reg(5), Reg(6)};
  const auto blocks = PlanReads(points, CoalesceLimits{0, 125, 2000});
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].count == 2);
}

TEST_CASE("a rejected request splits in two halves, each spanning its own points") {
  const std::vector<PlannedPoint> points = {Reg(0), Reg(1), Reg(8, 2), Reg(20)};
  auto blocks = PlanReads(points, CoalesceLimits{20, 125, 2000});
  REQUIRE(blocks.size() == 1);
  REQUIRE(SplitBlock(blocks, 0, points));
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[0].start == 0);
  CHECK(blocks[0].count == 2);
  CHECK(blocks[1].start == 8);
  CHECK(blocks[1].count == 13);
  REQUIRE(SplitBlock(blocks, 1, points));
  REQUIRE(SplitBlock(blocks, 0, points));
  CHECK(blocks.size() == 4);
  CHECK_FALSE(SplitBlock(blocks, 0, points));  // a single point cannot be split
}

}  // namespace
}  // namespace ef::connectors::modbus
