#include "rules/rules_stage.h"

#include <algorithm>

namespace ef::rules {

RulesStage::RulesStage(RuleSet rules, MetricsRegistry& metrics, RulesOptions options)
    : metrics_(metrics), options_(std::move(options)),
      loaded_(metrics.GetGauge("edgeferry_rules_loaded", "Rules running.")),
      total_bytes_(metrics.GetGauge("edgeferry_rules_state_bytes",
                                    "Memory held by the open groups of all rules.")),
      discarded_(metrics.GetCounter("edgeferry_rules_state_discarded_total",
                                    "Checkpointed groups not restored: their rule is gone, "
                                    "changed, or the bytes were bad.")),
      reloads_(metrics.GetCounter("edgeferry_rules_reloads_total",
                                  "Rule sets swapped in while running.")) {
  for (LoadedRule& loaded : rules.rules) {
    slots_.push_back(std::make_unique<RuleSlot>(std::move(loaded), metrics_));
  }
  loaded_.Set(static_cast<double>(slots_.size()));
}

Status RulesStage::Restore(std::span<const StateEntry> state) {
  for (const StateEntry& entry : state) {
    const size_t slash = entry.key.find('/');
    const std::string_view rule = std::string_view(entry.key).substr(0, slash);
    RuleSlot* slot = nullptr;
    for (auto& s : slots_) slot = s->spec().name == rule ? s.get() : slot;
    const bool restored =
        slot != nullptr && slash != std::string::npos &&
        slot->Restore(std::string_view(entry.key).substr(slash + 1), entry.value, {});
    if (!restored) {
      orphans_.push_back(entry.key);
      discarded_.Add();
    }
  }
  stamp_restored_ = true;
  // At once: the restored groups get their time and their idle timeouts are scheduled, also
  // when no event ever comes again.
  next_timer_ = Clock::TimePoint::min();
  return Status::Ok();
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
    for (auto& slot : slots_) slot->StampRestored(group.now);
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
  if (rules) Swap(std::move(*rules), group.state, ctx);
}

void RulesStage::Swap(RuleSet rules, std::vector<StateEntry>& state, SlotContext& ctx) {
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
  // What is left was removed or changed: its windows are emitted and its checkpoints erased
  // now, before the new rules write theirs (a later entry for a key wins).
  for (auto& slot : slots_) {
    if (!slot) continue;
    slot->CloseAll(CloseReason::kRemoved, ctx);
    slot->Checkpoint(state);
  }
  slots_ = std::move(next);
  loaded_.Set(static_cast<double>(slots_.size()));
  reloads_.Add();
}

void RulesStage::Process(StageGroup& group) {
  produced_.clear();
  SlotContext ctx{produced_, group.now, group.wall_ms};
  Begin(group, ctx);
  const size_t inputs = group.events.size();
  keep_.assign(inputs, 1);
  // Rule by rule, not event by event: one rule's groups stay in the cache for the whole
  // group of events (several times faster with many rules and devices). Outputs come rule by
  // rule, each rule's in event order.
  for (auto& slot : slots_) {
    for (size_t i = 0; i < inputs; ++i) {
      if (!slot->Take(group.events[i], ctx)) keep_[i] = 0;
    }
  }
  size_t kept = 0;
  for (size_t i = 0; i < inputs; ++i) {
    if (keep_[i] == 0) continue;
    if (kept != i) group.events[kept] = std::move(group.events[i]);
    ++kept;
  }
  group.events.resize(kept);
  End(group, ctx);
}

void RulesStage::OnTimer(StageGroup& group) {
  produced_.clear();
  SlotContext ctx{produced_, group.now, group.wall_ms};
  Begin(group, ctx);
  for (auto& slot : slots_) slot->CloseIdle(ctx);
  End(group, ctx);
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
    if (total <= static_cast<size_t>(options_.max_state_bytes) || oldest == nullptr) return;
    oldest->EvictOldest(ctx);
  }
}

void RulesStage::End(StageGroup& group, SlotContext& ctx) {
  EnforceTotalBound(ctx);
  for (auto& slot : slots_) slot->Checkpoint(group.state);
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
