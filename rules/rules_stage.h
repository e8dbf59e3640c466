// RulesStage: the rules engine as a pipeline stage (core/stage.h). It runs every event of a
// group through every loaded rule (rule_slot.h), in rule-file order, appends the rules'
// outputs and late copies to the group, drops the raw events a rule asked to drop, and hands
// its state to the same commit: a journal record of the call, now and then a snapshot of
// every rule instead (checkpoint_log.h).
//
// - Time: the engine reads no clock. Windows run on event time (Event::event_time_ms); the
//   StageGroup's monotonic `now` drives only the idle timeouts and the ordering of
//   evictions, and `wall_ms` stamps outputs. An offline replay passes times derived from its
//   events and gets the same results.
// - Bounds: each rule has its own (max_groups, max_state_bytes); `max_state_bytes` here bounds
//   all rules together. Past a bound the least recently used groups are closed early (their
//   windows emitted, marked partial) and counted.
// - Restarts: Restore() takes back the snapshots of rules of the same name and the same
//   definition (fingerprint), then replays the journal onto them (outputs and metrics of the
//   replay are dropped: they were committed before), so the windows resume where the last
//   commit left them. Journal calls are replayed only into the rules whose snapshot was
//   restored: a rule changed or added while the daemon was down starts empty at the restart.
//   The state of rules no longer running is erased at the first commit.
// - Reloads: Offer() hands over a new RuleSet from any thread; the pipeline thread swaps it in
//   before its next group or timer (a group boundary): rules whose definition did not change
//   keep their groups; removed or changed ones are closed (their windows emitted, partial)
//   and their state erased (the commit writes a snapshot). No event is seen by both sets or
//   by none.
//
// Metrics: per rule (rule_slot.h), and edgeferry_rules_loaded, edgeferry_rules_state_bytes,
// edgeferry_rules_state_discarded_total, edgeferry_rules_reloads_total.
//
// Thread-safety: Offer() from any thread; everything else from the pipeline thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/metrics.h"
#include "core/stage.h"
#include "rules/checkpoint_log.h"
#include "rules/device_match_cache.h"
#include "rules/rule_loader.h"
#include "rules/rule_slot.h"
#include "rules/state_journal.h"

namespace ef::rules {

struct RulesOptions {
  int64_t max_state_bytes = 64 << 20;  // Default: 64 MiB over all rules
  std::string name = "rules";          // Default: "rules" (the stage's state prefix)
  // A snapshot replaces the journal once it is larger than the open state and this.
  int64_t min_journal_bytes = 1 << 20;  // Default: 1 MiB
};

class RulesStage final : public Stage {
 public:
  RulesStage(RuleSet rules, MetricsRegistry& metrics, RulesOptions options = {});

  const std::string& name() const override { return options_.name; }
  Status Restore(std::span<const StateEntry> state) override;
  void Process(StageGroup& group) override;
  Clock::TimePoint NextTimer() const override;
  void OnTimer(StageGroup& group) override;

  // Queues `rules` to replace the running set at the next group boundary. Thread-safe.
  void Offer(RuleSet rules);
  // The rules running (names, in order). Pipeline thread only (or before it starts).
  std::vector<std::string> RuleNames() const;
  // The local broker topic template (`publish`) of the running rule `rule`; null when the
  // rule is unknown or publishes nothing. Pipeline thread only.
  const std::string* PublishTopic(std::string_view rule) const;

 private:
  // Stamps restored groups, erases orphaned checkpoints and swaps in an offered rule set.
  void Begin(StageGroup& group, SlotContext& ctx);
  void Swap(RuleSet rules, SlotContext& ctx);
  // A per-group checkpoint of an earlier version; false when no running rule takes it.
  bool RestoreLegacy(const StateEntry& entry);
  // Runs the events through the rules (in a replay, only the replayed ones); sets keep_.
  void RunEvents(const std::vector<Event>& events, SlotContext& ctx);
  void RunTimers(SlotContext& ctx);
  // Past max_state_bytes, closes the least recently used groups of all rules; each one
  // closed is noted in bound_evictions_ for the journal.
  void EnforceTotalBound(SlotContext& ctx);
  // Puts the restored groups' last activity on this run's clock (rule_slot.h).
  void StampRestored(Clock::TimePoint now);
  uint64_t Changes() const;
  // Replays the journal records (keys in order) onto the restored snapshots.
  void Replay(std::vector<const StateEntry*> records);
  // The call's state: a snapshot when due, else a journal record when a group changed since
  // `changes_before` (`inputs`: the call's events, null for a timer).
  void Checkpoint(StageGroup& group, uint64_t changes_before, const std::vector<Event>* inputs);
  void WriteSnapshot(std::vector<StateEntry>& state);
  // Appends the outputs and sets the next timer.
  void End(StageGroup& group);

  MetricsRegistry& metrics_;
  const RulesOptions options_;
  std::vector<std::unique_ptr<RuleSlot>> slots_;
  std::vector<std::string> orphans_;  // checkpoint keys no longer used: erased at commit
  CheckpointLog log_;
  std::vector<uint8_t> replayed_;  // during Restore: per slot, is it replayed?
  size_t total_bytes_now_ = 0;     // the open groups' bytes, as of the last bound check
  bool stamp_restored_ = false;
  bool legacy_restored_ = false;  // groups of an earlier version's checkpoints, without time
  std::vector<JournalEviction> bound_evictions_;  // by EnforceTotalBound in this call
  Clock::TimePoint next_timer_ = kNoTimer;
  std::vector<uint8_t> keep_;     // per input event of the group: keep it?
  DeviceMatchCache device_matches_;
  std::vector<uint8_t> taken_;  // per input event: did a rule take it (journaled if so)?
  // Per rule: the events its glob matched, with the hint to the device's group.
  std::vector<std::vector<std::pair<uint32_t, GroupHint*>>> slot_events_;
  std::vector<Event> produced_;  // outputs of the call in progress

  mutable std::mutex offer_mu_;
  std::optional<RuleSet> offered_;  // guarded by offer_mu_
  std::atomic<bool> has_offer_{false};

  Gauge& loaded_;
  Gauge& total_bytes_;
  Counter& discarded_;
  Counter& reloads_;
};

}  // namespace ef::rules
