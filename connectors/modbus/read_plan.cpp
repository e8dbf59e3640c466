#include "connectors/modbus/read_plan.h"

#include <algorithm>
#include <numeric>
#include <tuple>

namespace ef::connectors::modbus {
namespace {

ReadBlock BlockOf(std::span<const PlannedPoint> points, std::vector<size_t> members) {
  ReadBlock block;
  const PlannedPoint& first = points[members.front()];
  block.slave = first.slave;
  block.kind = first.kind;
  block.start = first.address;
  uint32_t end = first.address;
  for (size_t i : members) {
    block.start = std::min(block.start, points[i].address);
    end = std::max(end, points[i].address + points[i].count);
  }
  block.count = end - block.start;
  block.points = std::move(members);
  return block;
}

}  // namespace

std::vector<ReadBlock> PlanReads(std::span<const PlannedPoint> points,
                                 const CoalesceLimits& limits) {
  std::vector<size_t> order(points.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::tie(points[a].slave, points[a].kind, points[a].address) <
           std::tie(points[b].slave, points[b].kind, points[b].address);
  });
  std::vector<ReadBlock> blocks;
  for (size_t i : order) {
    const PlannedPoint& p = points[i];
    const uint32_t end = p.address + p.count;
    if (!blocks.empty()) {
      ReadBlock& last = blocks.back();
      const uint32_t last_end = last.start + last.count;
      const uint32_t limit = IsBitKind(p.kind) ? limits.max_bits : limits.max_registers;
      const bool same_area = last.slave == p.slave && last.kind == p.kind;
      // p.address >= last.start (sorted); a point may start inside the block (bits of a word).
      const bool close = p.address <= last_end || p.address - last_end <= limits.max_gap;
      if (same_area && close && std::max(end, last_end) - last.start <= limit) {
        last.count = std::max(end, last_end) - last.start;
        last.points.push_back(i);
        continue;
      }
    }
    blocks.push_back(ReadBlock{p.slave, p.kind, p.address, p.count, {i}});
  }
  return blocks;
}

bool SplitBlock(std::vector<ReadBlock>& blocks, size_t i, std::span<const PlannedPoint> points) {
  if (i >= blocks.size() || blocks[i].points.size() < 2) return false;
  std::vector<size_t> members = std::move(blocks[i].points);
  const auto middle = members.begin() + static_cast<std::ptrdiff_t>(members.size() / 2);
  std::vector<size_t> low(members.begin(), middle);
  std::vector<size_t> high(middle, members.end());
  blocks[i] = BlockOf(points, std::move(low));
  blocks.insert(blocks.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                BlockOf(points, std::move(high)));
  return true;
}

}  // namespace ef::connectors::modbus
