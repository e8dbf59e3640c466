#include "storage/budget.h"

#include <algorithm>

namespace ef::storage {

Budget::Decision Budget::Admit(const std::string& stream, uint64_t size) const {
  const StreamPolicy& policy = policy_->For(stream);
  const Usage own = Of(stream);
  auto refuse = [&]() -> Decision {
    return {policy.overflow == Overflow::kBackpressure ? Verdict::kBackpressure : Verdict::kReject,
            {}, 0};
  };
  if (Fits(policy, own.bytes, size)) return {};
  if (policy.max_bytes > 0 && own.bytes + size > policy.max_bytes) {
    if (policy.overflow != Overflow::kDropOldest || own.events == 0) return refuse();
    return {Verdict::kEvict, stream, own.bytes + size - policy.max_bytes};
  }
  // Over the store's bound.
  if (policy.overflow != Overflow::kDropOldest) return refuse();
  const std::string* victim = LowestPriorityVictim(policy.priority);
  if (victim == nullptr) return {Verdict::kReject, {}, 0};  // only higher priorities hold data
  return {Verdict::kEvict, *victim, total_.bytes + size - capacity_};
}

bool Budget::TryAdd(const std::string& stream, uint64_t size) {
  auto it = usage_.find(stream);
  if (!Fits(policy_->For(stream), it == usage_.end() ? 0 : it->second.bytes, size)) return false;
  if (it == usage_.end()) it = usage_.emplace(stream, Usage{}).first;
  ++it->second.events;
  it->second.bytes += size;
  ++total_.events;
  total_.bytes += size;
  return true;
}

const std::string* Budget::LowestPriorityVictim(int64_t priority) const {
  const std::string* best = nullptr;
  int64_t best_priority = 0;
  uint64_t best_bytes = 0;
  for (const auto& [name, usage] : usage_) {
    if (usage.events == 0) continue;
    const int64_t p = policy_->For(name).priority;
    if (p > priority) continue;
    if (best == nullptr || p < best_priority || (p == best_priority && usage.bytes > best_bytes)) {
      best = &name;
      best_priority = p;
      best_bytes = usage.bytes;
    }
  }
  return best;
}

void Budget::Add(const std::string& stream, uint64_t events, uint64_t bytes) {
  Usage& u = usage_[stream];
  u.events += events;
  u.bytes += bytes;
  total_.events += events;
  total_.bytes += bytes;
}

void Budget::Remove(const std::string& stream, uint64_t events, uint64_t bytes) {
  Usage& u = usage_[stream];
  const uint64_t e = std::min(events, u.events);
  const uint64_t b = std::min(bytes, u.bytes);
  u.events -= e;
  u.bytes -= b;
  total_.events -= std::min(e, total_.events);
  total_.bytes -= std::min(b, total_.bytes);
}

void Budget::ClampToCurrent() {
  // Leave a little room below what fitted, so the next groups evict before they fail. A
  // group that still does not fit (SQLite needs more pages than the eviction freed) clamps
  // again from the lowered capacity: each failure evicts 2 % more, so appends never stick.
  capacity_ = std::min(capacity_, total_.bytes);
  capacity_ -= capacity_ / 50;
}

Usage Budget::Of(const std::string& stream) const {
  auto it = usage_.find(stream);
  return it == usage_.end() ? Usage{} : it->second;
}

}  // namespace ef::storage
