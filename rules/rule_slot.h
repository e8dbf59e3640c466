// RuleSlot: one loaded rule at work inside the engine: its spec, its kind's Rule, its open
// groups (GroupTable) and its metrics.
//
// Take() runs one event through the rule (match, where, group, the kind's OnEvent, late
// routing, the raw-input decision); CloseIdle(), EvictOldest() and CloseAll() close groups
// without input. Outputs are appended to the vector given, each with a JSON payload built from
// its fields. changes() counts what altered the groups, so the engine knows whether a call
// must be journaled (rules_stage.h).
//
// Snapshot() is every open group in one value, oldest first: the rule's fingerprint (a
// changed definition discards its state), the group count, then per group its key, its last
// activity (monotonic ns) and, length-prefixed, its device, the deadband's kept values and
// the kind's own bytes.
// Restore() still reads the per-group checkpoints of earlier versions.
//
// Not thread-safe: the pipeline thread's.
#pragma once

#include <memory>
#include <optional>
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

// What the engine's context is for one call: the output vector and the times. A replay (of
// the journal, after a restart) re-does calls whose outputs were committed before: nothing is
// counted and no payload is built.
struct SlotContext {
  std::vector<Event>& out;
  Clock::TimePoint now;
  int64_t wall_ms;
  bool replay = false;
};

// Where the group of a (device, rule) pair was last found, so that a rule grouping by device
// finds it again without a lookup by key. Valid while the rule's groups are at `generation`.
struct GroupHint {
  GroupEntry* entry = nullptr;
  uint64_t generation = 0;
};

class RuleSlot {
 public:
  RuleSlot(LoadedRule loaded, MetricsRegistry& metrics);

  const RuleSpec& spec() const { return spec_; }
  // Runs `event` through the rule when it matches. Returns false when the rule wants the raw
  // event dropped (raw = drop, or deadband and no value moved enough); true otherwise.
  // `hint` (may be null) remembers the group of this event's device for the next call.
  // REQUIRES: the rule's device glob matched the event's device (DeviceMatches()).
  bool Take(const Event& event, SlotContext& ctx, GroupHint* hint = nullptr);
  // Closes the groups silent for the idle timeout; returns the earliest time another may be
  // due (kNoTimer when none).
  Clock::TimePoint CloseIdle(SlotContext& ctx);
  // Closes the least recently used group (a memory bound); returns its key, nullopt when
  // there is none.
  std::optional<std::string> EvictOldest(SlotContext& ctx);
  // Closes group `key` as EvictOldest() would (a replayed eviction); false when it is not open.
  bool EvictGroup(const std::string& key, SlotContext& ctx);
  // Closes every group (the rule is removed or changed).
  void CloseAll(CloseReason reason, SlotContext& ctx);
  // Every open group, as one value (see above).
  std::string Snapshot() const;
  // Takes the groups of a Snapshot(); false (no group taken) when it is not this rule's
  // (another definition) or its bytes are bad. REQUIRES: no open group.
  bool RestoreSnapshot(std::string_view value);
  // Restores one group from a per-group checkpoint of an earlier version; false when it is
  // not this rule's or its bytes are bad.
  bool Restore(std::string_view group_key, std::string_view value, Clock::TimePoint now);
  // Sets the rule's gauges (state bytes, groups).
  void UpdateGauges();
  // Grows whenever a group is created, fed, closed or evicted.
  uint64_t changes() const { return changes_; }
  // After a restore: every group's last activity set to `now` (groups of an earlier
  // version's checkpoints, which know no time), or moved by `by`.
  void StampRestored(Clock::TimePoint now) { groups_.StampAll(now); }
  void ShiftRestored(Clock::Duration by) { groups_.ShiftAll(by); }
  Clock::TimePoint NewestSeen() const { return groups_.NewestSeen(); }
  size_t bytes() const { return groups_.bytes(); }
  size_t groups() const { return groups_.size(); }
  // The last activity of the least recently used group; kNoTimer when there is none.
  Clock::TimePoint OldestSeen();
  bool has_idle_timeout() const { return spec_.idle_timeout_ms > 0; }

 private:
  class Output;
  GroupEntry& GroupFor(const Event& event, SlotContext& ctx, GroupHint* hint);
  bool KeepRaw(GroupEntry& group, const Event& event);
  void Evict(const std::string& key, CloseReason reason, SlotContext& ctx);
  void EnforceBound(const std::string& keep, SlotContext& ctx);
  void Late(const Event& event, SlotContext& ctx);

  const RuleSpec spec_;
  const std::shared_ptr<const Rule> rule_;
  const bool by_device_;  // group_by = ["device"]: the group key is the device id
  const std::string origin_;  // of its outputs: "rule/<name>"
  GroupTable groups_;
  Counter& taken_;
  Counter& outputs_;
  Counter& late_;
  Counter& evicted_;
  Counter& dropped_;
  Gauge& state_bytes_;
  Gauge& group_count_;
  uint64_t changes_ = 0;
};

}  // namespace ef::rules
