#include "rules/rules_stage.h"

#include <algorithm>

#include "rules/state_journal.h"

namespace ef::rules {

RulesStage::RulesStage(RuleSet rules, MetricsRegistry& metrics, RulesOptions options)
    : metrics_(metrics), options_(std::move(options)), log_(options_.min_journal_bytes),
      loaded_(metrics.GetGauge("edgeferry_rules_loaded", "Rules running.")),
      total_bytes_(metrics.GetGauge("edgeferry_rules_state_bytes",
                                    "Memory held by the open groups of all rules.")),
      discarded_(metrics.GetCounter("edgeferry_rules_state_discarded_total",
                                    "Checkpoint entries not restored: the snapshot (or an earlier "
                                    "version's group) of a rule gone or changed, bad bytes, a bad "
                                    "journal record.")),
      reloads_(metrics.GetCounter("edgeferry_rules_reloads_total",
                                  "Rule sets swapped in while running.")) {
  for (LoadedRule& loaded : rules.rules) {
    slots_.push_back(std::make_unique<RuleSlot>(std::move(loaded), metrics_));
  }
  loaded_.Set(static_cast<double>(slots_.size()));
}

Status RulesStage::Restore(std::span<const StateEntry> state) {
  replayed_.assign(slots_.size(), 0);
  std::vector<const StateEntry*> journal;
  for (const StateEntry& entry : state) {
    if (CheckpointLog::IsJournalKey(entry.key)) {
      journal.push_back(&entry);
      log_.RestoredJournal(entry.key, entry.value.size());
      continue;
    }
    bool restored = false;
    if (const auto rule = CheckpointLog::SnapshotRule(entry.key)) {
      for (size_t s = 0; s < slots_.size() && !restored; ++s) {
        if (slots_[s]->spec().name != *rule) continue;
        restored = slots_[s]->RestoreSnapshot(entry.value);
        replayed_[s] = restored ? 1 : 0;
      }
      if (restored) {
        log_.RestoredSnapshot(*rule);
        continue;
      }
    } else {
      restored = RestoreLegacy(entry);
    }
    // A legacy group is superseded by the snapshot the first commit writes.
    orphans_.push_back(entry.key);
    if (!restored) discarded_.Add();
  }
  std::sort(journal.begin(), journal.end(),
            [](const StateEntry* a, const StateEntry* b) { return a->key < b->key; });
  Replay(std::move(journal));
  replayed_.clear();
  log_.ForceSnapshot();
  stamp_restored_ = true;
  // At once: the restored groups get their time and their idle timeouts are scheduled, also
  // when no event ever comes again.
  next_timer_ = Clock::TimePoint::min();
  return Status::Ok();
}

bool RulesStage::RestoreLegacy(const StateEntry& entry) {
  const size_t slash = entry.key.find('/');
  if (slash == std::string::npos) return false;
  const std::string_view rule = std::string_view(entry.key).substr(0, slash);
  for (auto& slot : slots_) {
    if (slot->spec().name != rule) continue;
    const bool restored =
        slot->Restore(std::string_view(entry.key).substr(slash + 1), entry.value, {});
    legacy_restored_ = legacy_restored_ || restored;
    return restored;
  }
  return false;
}

void RulesStage::Replay(std::vector<const StateEntry*> records) {
  std::vector<Event> discarded;
  for (size_t r = 0; r < records.size(); ++r) {
    auto call = DecodeJournalCall(records[r]->value);
    if (!call.ok()) {  // the rest cannot be applied in order: the state is as of before it
      discarded_.Add(records.size() - r);
      return;
    }
    discarded.clear();
    const Clock::TimePoint now{Clock::Duration(call.value().now_ns)};
    SlotContext ctx{discarded, now, 0, true};
    if (call.value().timer) {
      RunTimers(ctx);
    } else {
      RunEvents(call.value().events, ctx);
    }
    // The total bound's evictions as they were made (the bound depends on every rule's state,
    // and a rule changed while the daemon was down is not replayed).
    for (const JournalEviction& eviction : call.value().evictions) {
      for (size_t s = 0; s < slots_.size(); ++s) {
        if (replayed_[s] != 0 && slots_[s]->spec().name == eviction.rule) {
          slots_[s]->EvictGroup(eviction.key, ctx);
        }
      }
    }
  }
}

void RulesStage::Offer(RuleSet rules) {
  std::lock_guard lock(offer_mu_);
  offered_ = std::move(rules);
  has_offer_.store(true);
}

const std::string* RulesStage::PublishTopic(std::string_view rule) const {
  for (const auto& slot : slots_) {
    if (slot->spec().name == rule) {
      return slot->spec().publish_topic.empty() ? nullptr : &slot->spec().publish_topic;
    }
  }
  return nullptr;
}

std::vector<std::string> RulesStage::RuleNames() const {
  std::vector<std::string> names;
  for (const auto& slot : slots_) names.push_back(slot->spec().name);
  return names;
}

Clock::TimePoint RulesStage::NextTimer() const {
  return has_offer_.load() ? Clock::TimePoint::min() : next_timer_;
}

void RulesStage::Begin(StageGroup& group, SlotContext& ctx) {
  if (stamp_restored_) {
    StampRestored(group.now);
    stamp_restored_ = false;
  }
  for (std::string& key : orphans_) {
    group.state.push_back({std::move(key), {}, true});
  }
  orphans_.clear();
  if (!has_offer_.load()) return;
  std::optional<RuleSet> rules;
  {
    std::lock_guard lock(offer_mu_);
    rules.swap(offered_);
    has_offer_.store(false);
  }
  if (rules) Swap(std::move(*rules), ctx);
}

void RulesStage::Swap(RuleSet rules, SlotContext& ctx) {
  std::vector<std::unique_ptr<RuleSlot>> next;
  for (LoadedRule& loaded : rules.rules) {
    auto same = std::find_if(slots_.begin(), slots_.end(), [&](const auto& slot) {
      return slot && slot->spec().name == loaded.spec.name &&
             slot->spec().fingerprint == loaded.spec.fingerprint;
    });
    if (same != slots_.end()) {
      next.push_back(std::move(*same));
    } else {
      next.push_back(std::make_unique<RuleSlot>(std::move(loaded), metrics_));
    }
  }
  // What is left was removed or changed: its windows are emitted now; the snapshot this
  // commit writes replaces its state.
  for (auto& slot : slots_) {
    if (slot) slot->CloseAll(CloseReason::kRemoved, ctx);
  }
  slots_ = std::move(next);
  log_.ForceSnapshot();
  device_matches_.Reset();
  loaded_.Set(static_cast<double>(slots_.size()));
  reloads_.Add();
}

void RulesStage::Process(StageGroup& group) {
  produced_.clear();
  bound_evictions_.clear();
  SlotContext ctx{produced_, group.now, group.wall_ms};
  Begin(group, ctx);
  const uint64_t changes_before = Changes();
  RunEvents(group.events, ctx);
  EnforceTotalBound(ctx);
  Checkpoint(group, changes_before, &group.events);
  size_t kept = 0;
  for (size_t i = 0; i < group.events.size(); ++i) {
    if (keep_[i] == 0) continue;
    if (kept != i) group.events[kept] = std::move(group.events[i]);
    ++kept;
  }
  group.events.resize(kept);
  End(group);
}

void RulesStage::RunEvents(const std::vector<Event>& events, SlotContext& ctx) {
  const size_t inputs = events.size();
  keep_.assign(inputs, 1);
  taken_.assign(inputs, 0);
  device_matches_.Trim();
  slot_events_.resize(slots_.size());
  for (auto& list : slot_events_) list.clear();
  for (size_t i = 0; i < inputs; ++i) {
    auto& matched = device_matches_.For(events[i].device_id, slots_);
    for (auto& m : matched) slot_events_[m.slot].push_back({static_cast<uint32_t>(i), &m.hint});
  }
  // Rule by rule, not event by event: one rule's groups stay in the cache for the whole
  // group of events (several times faster with many rules and devices), and each rule sees
  // only the events its device glob matched. Outputs come rule by rule, each rule's in event
  // order.
  for (size_t s = 0; s < slots_.size(); ++s) {
    if (ctx.replay && replayed_[s] == 0) continue;
    RuleSlot& slot = *slots_[s];
    for (const auto& [i, hint] : slot_events_[s]) {
      const uint64_t before = slot.changes();
      if (!slot.Take(events[i], ctx, hint)) keep_[i] = 0;
      if (slot.changes() != before) taken_[i] = 1;
    }
  }
}

void RulesStage::OnTimer(StageGroup& group) {
  produced_.clear();
  bound_evictions_.clear();
  SlotContext ctx{produced_, group.now, group.wall_ms};
  Begin(group, ctx);
  const uint64_t changes_before = Changes();
  RunTimers(ctx);
  EnforceTotalBound(ctx);
  Checkpoint(group, changes_before, nullptr);
  End(group);
}

void RulesStage::RunTimers(SlotContext& ctx) {
  for (size_t s = 0; s < slots_.size(); ++s) {
    if (ctx.replay && replayed_[s] == 0) continue;
    slots_[s]->CloseIdle(ctx);
  }
}

uint64_t RulesStage::Changes() const {
  uint64_t changes = 0;
  for (const auto& slot : slots_) changes += slot->changes();
  return changes;
}

void RulesStage::StampRestored(Clock::TimePoint now) {
  if (legacy_restored_) {  // groups without a time: all active as of now
    for (auto& slot : slots_) slot->StampRestored(now);
    return;
  }
  // Onto this run's clock, keeping their order and the time between their last events: the
  // most recently active group counts as active just before now (the downtime does not
  // count), so every group touched from now on is newer than all of them, as it would have
  // been without the restart (the memory bounds close the least recently active first).
  Clock::TimePoint newest = Clock::TimePoint::min();
  for (const auto& slot : slots_) newest = std::max(newest, slot->NewestSeen());
  if (newest == Clock::TimePoint::min()) return;
  const Clock::Duration shift = now - Clock::Duration(1) - newest;
  for (auto& slot : slots_) slot->ShiftRestored(shift);
}

void RulesStage::EnforceTotalBound(SlotContext& ctx) {
  for (;;) {
    size_t total = 0;
    RuleSlot* oldest = nullptr;
    Clock::TimePoint oldest_seen = Clock::TimePoint::max();
    for (auto& slot : slots_) {
      total += slot->bytes();
      const Clock::TimePoint seen = slot->OldestSeen();
      if (seen < oldest_seen) {
        oldest_seen = seen;
        oldest = slot.get();
      }
    }
    total_bytes_.Set(static_cast<double>(total));
    total_bytes_now_ = total;
    if (total <= static_cast<size_t>(options_.max_state_bytes) || oldest == nullptr) return;
    if (auto key = oldest->EvictOldest(ctx)) {
      bound_evictions_.push_back({oldest->spec().name, std::move(*key)});
    }
  }
}

void RulesStage::Checkpoint(StageGroup& group, uint64_t changes_before,
                            const std::vector<Event>* inputs) {
  for (auto& slot : slots_) slot->UpdateGauges();
  if (log_.SnapshotDue(total_bytes_now_)) {
    WriteSnapshot(group.state);
    return;
  }
  if (Changes() == changes_before) return;
  JournalWriter record(inputs == nullptr, group.now.time_since_epoch().count());
  if (inputs != nullptr) {
    for (size_t i = 0; i < inputs->size(); ++i) {
      if (taken_[i] != 0) record.Add((*inputs)[i]);  // the others changed nothing
    }
  }
  for (const JournalEviction& e : bound_evictions_) record.AddEviction(e.rule, e.key);
  log_.Append(record.Finish(), group.state);
}

void RulesStage::WriteSnapshot(std::vector<StateEntry>& state) {
  std::vector<std::string> names;
  for (const auto& slot : slots_) {
    names.push_back(slot->spec().name);
    state.push_back({CheckpointLog::SnapshotKey(names.back()), slot->Snapshot(), false});
  }
  log_.WroteSnapshot(names, state);
}

void RulesStage::End(StageGroup& group) {
  group.events.reserve(group.events.size() + produced_.size());
  for (Event& e : produced_) group.events.push_back(std::move(e));
  produced_.clear();
  next_timer_ = kNoTimer;
  for (auto& slot : slots_) {
    if (!slot->has_idle_timeout()) continue;
    const Clock::TimePoint seen = slot->OldestSeen();
    if (seen == Clock::TimePoint::max()) continue;
    const auto due = seen + std::chrono::milliseconds(slot->spec().idle_timeout_ms);
    next_timer_ = std::min(next_timer_, std::max(due, group.now + Clock::Duration(1)));
  }
}

}  // namespace ef::rules
