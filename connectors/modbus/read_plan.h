// Read planning: which requests read a poll group's points. Points of one slave and register
// kind that lie together (at most `max_gap` unused registers or bits apart) are read in one
// request, within the protocol's limits (125 registers, 2000 bits) or lower configured ones.
// A device that rejects a long read (illegal data address) gets it split in two; the caller
// keeps the changed plan, so the split is remembered.
//
// Pure functions over values; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "connectors/modbus/register_map.h"

namespace ef::connectors::modbus {

// What the planner needs of a point.
struct PlannedPoint {
  int slave = 1;
  RegisterKind kind = RegisterKind::kHolding;
  uint32_t address = 0;  // 0-based
  uint32_t count = 1;    // registers (bits for coil/discrete)
};

struct CoalesceLimits {
  uint32_t max_gap = 10;                      // unused registers/bits one request may span
  uint32_t max_registers = kMaxReadRegisters;  // per request
  uint32_t max_bits = kMaxReadBits;            // per request
};

// One request: `count` registers (bits) from `start` of one slave, and the points it carries
// (indexes into the planner's input, in address order).
struct ReadBlock {
  int slave = 1;
  RegisterKind kind = RegisterKind::kHolding;
  uint32_t start = 0;
  uint32_t count = 0;
  std::vector<size_t> points;
};

// Plans the requests for `points`, ordered by slave, kind and address.
// REQUIRES: every point fits one request under `limits` (the config check ensures it).
std::vector<ReadBlock> PlanReads(std::span<const PlannedPoint> points,
                                 const CoalesceLimits& limits);

// Replaces blocks[i] by two blocks with half of its points each (each spanning only its own
// points). Returns false, changing nothing, when the block carries a single point.
bool SplitBlock(std::vector<ReadBlock>& blocks, size_t i, std::span<const PlannedPoint> points);

}  // namespace ef::connectors::modbus
