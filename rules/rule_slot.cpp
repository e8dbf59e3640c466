#include "rules/rule_slot.h"

#include <cmath>
#include <limits>

#include "rules/aggregates.h"
#include "rules/output_payload.h"

namespace ef::rules {

// Hands out the rule's output events for one group and, once the group's work is done,
// gives each its JSON payload.
class RuleSlot::Output final : public Emitter {
 public:
  Output(const RuleSpec& spec, const std::string& key, const std::string& device,
         SlotContext& ctx, Counter& outputs)
      : spec_(spec), key_(key), device_(device), ctx_(ctx), outputs_(outputs),
        first_(ctx.out.size()) {}
  ~Output() override {
    for (size_t i = first_; i < ctx_.out.size(); ++i) {
      ctx_.out[i].payload = OutputPayload(spec_.name, key_, ctx_.out[i]);
    }
    outputs_.Add(ctx_.out.size() - first_);
  }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  Event& NewOutput(int64_t event_time_ms) override {
    Event& e = ctx_.out.emplace_back();
    e.stream = spec_.output;
    e.device_id = device_;
    e.origin = "rule/" + spec_.name;
    e.event_time_ms = event_time_ms;
    e.ingest_time_ms = ctx_.wall_ms;
    e.format = PayloadFormat::kJson;
    return e;
  }

 private:
  const RuleSpec& spec_;
  const std::string& key_;
  const std::string& device_;
  SlotContext& ctx_;
  Counter& outputs_;
  const size_t first_;
};

RuleSlot::RuleSlot(LoadedRule loaded, MetricsRegistry& metrics)
    : spec_(std::move(loaded.spec)), rule_(std::move(loaded.rule)),
      taken_(metrics.GetCounter("edgeferry_rule_events_total",
                                "Events a rule took (matched and passed its where filter).",
                                {{"rule", spec_.name}})),
      outputs_(metrics.GetCounter("edgeferry_rule_outputs_total",
                                  "Output events a rule produced.", {{"rule", spec_.name}})),
      late_(metrics.GetCounter("edgeferry_rule_late_events_total",
                               "Events later than a rule's allowed lateness.",
                               {{"rule", spec_.name}})),
      evicted_(metrics.GetCounter("edgeferry_rule_groups_evicted_total",
                                  "Groups a rule closed early to stay within its memory bounds.",
                                  {{"rule", spec_.name}})),
      dropped_(metrics.GetCounter("edgeferry_rule_raw_dropped_total",
                                  "Raw events a rule dropped (raw = drop, or inside its deadband).",
                                  {{"rule", spec_.name}})),
      state_bytes_(metrics.GetGauge("edgeferry_rule_state_bytes",
                                    "Memory held by a rule's open groups.", {{"rule", spec_.name}})),
      group_count_(metrics.GetGauge("edgeferry_rule_groups", "A rule's open groups.",
                                    {{"rule", spec_.name}})) {}

GroupEntry& RuleSlot::GroupFor(const std::string& key, const Event& event, SlotContext& ctx) {
  GroupEntry* group = groups_.Find(key);
  if (group == nullptr) {
    group = &groups_.Insert(key, rule_->NewGroup(), ctx.now);
    group->kept.assign(spec_.raw == RawInput::kDeadband ? spec_.fields.size() : 0,
                       std::numeric_limits<double>::quiet_NaN());
  } else {
    groups_.Touch(*group, ctx.now);
  }
  if (group->device != event.device_id) group->device = event.device_id;
  return *group;
}

bool RuleSlot::Take(const Event& event, SlotContext& ctx) {
  if (!Matches(spec_, event)) return true;
  taken_.Add();
  const std::string key = GroupKey(spec_, event);
  GroupEntry& group = GroupFor(key, event, ctx);
  Taken taken;
  {
    Output out(spec_, key, group.device, ctx, outputs_);
    taken = rule_->OnEvent(*group.state, event, out);
  }
  if (taken == Taken::kLate) Late(event, ctx);
  const bool keep = KeepRaw(group, event);
  groups_.Resize(group, rule_->Bytes(*group.state));
  groups_.MarkDirty(group);
  EnforceBound(key, ctx);
  if (!keep) dropped_.Add();
  return keep;
}

void RuleSlot::Late(const Event& event, SlotContext& ctx) {
  late_.Add();
  if (spec_.late_stream.empty()) return;
  Event& copy = ctx.out.emplace_back(event);
  copy.stream = spec_.late_stream;
  copy.seq = 0;
}

bool RuleSlot::KeepRaw(GroupEntry& group, const Event& event) {
  switch (spec_.raw) {
    case RawInput::kKeep: return true;
    case RawInput::kDrop: return false;
    case RawInput::kDeadband: break;
  }
  bool moved = false;
  for (const Field& field : event.fields) {
    for (size_t i = 0; i < spec_.fields.size(); ++i) {
      if (field.name != spec_.fields[i]) continue;
      const auto v = NumberOf(field.value);
      if (!v) continue;
      if (std::isnan(group.kept[i]) || std::fabs(*v - group.kept[i]) > spec_.deadband) {
        moved = true;
      }
    }
  }
  if (!moved) return false;
  for (const Field& field : event.fields) {
    for (size_t i = 0; i < spec_.fields.size(); ++i) {
      if (field.name != spec_.fields[i]) continue;
      if (const auto v = NumberOf(field.value)) group.kept[i] = *v;
    }
  }
  return true;
}

void RuleSlot::Evict(const std::string& key_ref, CloseReason reason, SlotContext& ctx) {
  const std::string key = key_ref;
  GroupEntry* group = groups_.Find(key);
  if (group == nullptr) return;
  {
    Output out(spec_, key, group->device, ctx, outputs_);
    rule_->Close(*group->state, reason, out);
  }
  if (reason == CloseReason::kIdle && rule_->KeepsIdleGroup()) {
    groups_.Touch(*group, ctx.now);  // idle again only after another idle_timeout
    groups_.MarkDirty(*group);
    return;
  }
  if (reason == CloseReason::kEvicted) evicted_.Add();
  groups_.Erase(key);
}

void RuleSlot::EnforceBound(const std::string& keep, SlotContext& ctx) {
  while (groups_.size() > 1 &&
         (groups_.size() > static_cast<size_t>(spec_.max_groups) ||
          groups_.bytes() > static_cast<size_t>(spec_.max_state_bytes))) {
    const std::string* oldest = groups_.Oldest();
    if (oldest == nullptr || *oldest == keep) break;
    Evict(*oldest, CloseReason::kEvicted, ctx);
  }
}

bool RuleSlot::EvictOldest(SlotContext& ctx) {
  const std::string* oldest = groups_.Oldest();
  if (oldest == nullptr) return false;
  Evict(*oldest, CloseReason::kEvicted, ctx);
  return true;
}

Clock::TimePoint RuleSlot::OldestSeen() {
  const std::string* oldest = groups_.Oldest();
  if (oldest == nullptr) return Clock::TimePoint::max();
  return groups_.Find(*oldest)->last_seen;
}

Clock::TimePoint RuleSlot::CloseIdle(SlotContext& ctx) {
  if (!has_idle_timeout()) return Clock::TimePoint::max();
  const auto idle = std::chrono::milliseconds(spec_.idle_timeout_ms);
  for (;;) {
    const Clock::TimePoint seen = OldestSeen();
    if (seen == Clock::TimePoint::max()) return seen;
    if (ctx.now - seen < idle) return seen + idle;
    Evict(*groups_.Oldest(), CloseReason::kIdle, ctx);
  }
}

void RuleSlot::CloseAll(CloseReason reason, SlotContext& ctx) {
  while (const std::string* oldest = groups_.Oldest()) Evict(*oldest, reason, ctx);
}

void RuleSlot::Checkpoint(std::vector<StateEntry>& state) {
  auto key_of = [&](const std::string& key) {
    std::string full;
    full.reserve(spec_.name.size() + 1 + key.size());
    full.append(spec_.name).append(1, '/').append(key);
    return full;
  };
  groups_.TakeDirty(
      [&](const std::string& key, const GroupEntry& group) {
        StateEntry& entry = state.emplace_back();
        entry.key = key_of(key);
        entry.value.reserve(group.bytes / 2 + 32);
        StateWriter out(&entry.value);
        out.U64(spec_.fingerprint);
        out.Str(group.device);
        out.U64(group.kept.size());
        for (const double v : group.kept) out.F64(v);
        rule_->Encode(*group.state, out);
      },
      [&](const std::string& key) { state.push_back({key_of(key), {}, true}); });
  state_bytes_.Set(static_cast<double>(groups_.bytes()));
  group_count_.Set(static_cast<double>(groups_.size()));
}

bool RuleSlot::Restore(std::string_view group_key, std::string_view value,
                       Clock::TimePoint now) {
  StateReader in(value);
  if (in.U64() != spec_.fingerprint || !in.ok()) return false;
  std::string device = in.Str();
  const uint64_t kept = in.Count(8);
  std::vector<double> values;
  for (uint64_t i = 0; i < kept && in.ok(); ++i) values.push_back(in.F64());
  const size_t want = spec_.raw == RawInput::kDeadband ? spec_.fields.size() : 0;
  if (!in.ok() || values.size() != want) return false;
  auto state = rule_->Decode(in);
  if (!state.ok()) return false;
  const std::string key(group_key);
  if (groups_.Find(key) != nullptr) return false;
  GroupEntry& group = groups_.Insert(key, std::move(state.value()), now);
  group.device = std::move(device);
  group.kept = std::move(values);
  groups_.Resize(group, rule_->Bytes(*group.state));
  return true;
}

}  // namespace ef::rules
