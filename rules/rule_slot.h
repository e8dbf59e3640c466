// RuleSlot: one loaded rule at work inside the engine: its spec, its kind's Rule, its open
// groups (GroupTable), its metrics and its checkpoint keys "<rule name>/<group key>".
//
// Take() runs one event through the rule (match, where, group, the kind's OnEvent, late
// routing, the raw-input decision); CloseIdle(), EvictOldest() and CloseAll() close groups
// without input; Checkpoint() writes the groups that changed. Outputs are appended to the
// vector given, each with a JSON payload built from its fields.
//
// A checkpoint value is: the rule's fingerprint (a changed definition discards its state),
// the group's device, the deadband's kept values, then the kind's own bytes.
//
// Not thread-safe: the pipeline thread's.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/store.h"
#include "rules/group_table.h"
#include "rules/rule.h"
#include "rules/rule_loader.h"

namespace ef::rules {

// What the engine's context is for one call: the output vector and the times.
struct SlotContext {
  std::vector<Event>& out;
  Clock::TimePoint now;
  int64_t wall_ms;
};

class RuleSlot {
 public:
  RuleSlot(LoadedRule loaded, MetricsRegistry& metrics);

  const RuleSpec& spec() const { return spec_; }
  // Runs `event` through the rule when it matches. Returns false when the rule wants the raw
  // event dropped (raw = drop, or deadband and no value moved enough); true otherwise.
  bool Take(const Event& event, SlotContext& ctx);
  // Closes the groups silent for the idle timeout; returns the earliest time another may be
  // due (kNoTimer when none).
  Clock::TimePoint CloseIdle(SlotContext& ctx);
  // Closes the least recently used group (a memory bound); false when there is none.
  bool EvictOldest(SlotContext& ctx);
  // Closes every group (the rule is removed); its checkpoints are erased.
  void CloseAll(CloseReason reason, SlotContext& ctx);
  // Appends the state entries of the groups changed since the last call.
  void Checkpoint(std::vector<StateEntry>& state);
  // Restores one group from a checkpoint written by Checkpoint(); false when it is not this
  // rule's (another definition) or its bytes are bad: the caller erases it.
  bool Restore(std::string_view group_key, std::string_view value, Clock::TimePoint now);
  // Groups restored without a time get `now` as their last activity.
  void StampRestored(Clock::TimePoint now) { groups_.StampAll(now); }
  size_t bytes() const { return groups_.bytes(); }
  size_t groups() const { return groups_.size(); }
  // The last activity of the least recently used group; kNoTimer when there is none.
  Clock::TimePoint OldestSeen();
  bool has_idle_timeout() const { return spec_.idle_timeout_ms > 0; }

 private:
  class Output;
  GroupEntry& GroupFor(const std::string& key, const Event& event, SlotContext& ctx);
  bool KeepRaw(GroupEntry& group, const Event& event);
  void Evict(const std::string& key, CloseReason reason, SlotContext& ctx);
  void EnforceBound(const std::string& keep, SlotContext& ctx);
  void Late(const Event& event, SlotContext& ctx);

  const RuleSpec spec_;
  const std::shared_ptr<const Rule> rule_;
  GroupTable groups_;
  Counter& taken_;
  Counter& outputs_;
  Counter& late_;
  Counter& evicted_;
  Counter& dropped_;
  Gauge& state_bytes_;
  Gauge& group_count_;
};

}  // namespace ef::rules
