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
  Output(const RuleSpec& spec, const std::string& origin, const std::string& key,
         const std::string& device, SlotContext& ctx, Counter& outputs)
      : spec_(spec), origin_(origin), key_(key), device_(device), ctx_(ctx), outputs_(outputs),
        first_(ctx.out.size()) {}
  ~Output() override {
    if (ctx_.replay) return;
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
    e.origin = origin_;
    e.event_time_ms = event_time_ms;
    e.ingest_time_ms = ctx_.wall_ms;
    e.format = PayloadFormat::kJson;
    return e;
  }

 private:
  const RuleSpec& spec_;
  const std::string& origin_;
  const std::string& key_;
  const std::string& device_;
  SlotContext& ctx_;
  Counter& outputs_;
  const size_t first_;
};

RuleSlot::RuleSlot(LoadedRule loaded, MetricsRegistry& metrics)
    : spec_(std::move(loaded.spec)), rule_(std::move(loaded.rule)),
      by_device_(spec_.group_by.size() == 1 && spec_.group_by[0] == "device"),
      origin_("rule/" + spec_.name),
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

GroupEntry& RuleSlot::GroupFor(const Event& event, SlotContext& ctx, GroupHint* hint) {
  if (hint != nullptr && hint->entry != nullptr && hint->generation == groups_.generation()) {
    groups_.Touch(*hint->entry, ctx.now);  // by device: the same key, the same device
    return *hint->entry;
  }
  const std::string key = GroupKey(spec_, event);
  GroupEntry* group = groups_.Find(key);
  if (group == nullptr) {
    group = &groups_.Insert(key, rule_->NewGroup(), ctx.now);
    group->kept.assign(spec_.raw == RawInput::kDeadband ? spec_.fields.size() : 0,
                       std::numeric_limits<double>::quiet_NaN());
  } else {
    groups_.Touch(*group, ctx.now);
  }
  if (group->device != event.device_id) group->device = event.device_id;
  if (hint != nullptr && by_device_) *hint = {group, groups_.generation()};
  return *group;
}

bool RuleSlot::Take(const Event& event, SlotContext& ctx, GroupHint* hint) {
  if (!MatchesBesidesDevice(spec_, event)) return true;
  ++changes_;
  if (!ctx.replay) taken_.Add();
  GroupEntry& group = GroupFor(event, ctx, hint);
  const std::string& key = *group.lru;  // the table's copy: valid while the group is
  Taken taken;
  {
    Output out(spec_, origin_, key, group.device, ctx, outputs_);
    taken = rule_->OnEvent(*group.state, event, out);
  }
  if (taken == Taken::kLate) Late(event, ctx);
  const bool keep = KeepRaw(group, event);
  groups_.Resize(group, rule_->Bytes(*group.state));
  EnforceBound(key, ctx);  // never closes `key` itself
  if (!keep && !ctx.replay) dropped_.Add();
  return keep;
}

void RuleSlot::Late(const Event& event, SlotContext& ctx) {
  if (ctx.replay) return;
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
  ++changes_;
  {
    Output out(spec_, origin_, key, group->device, ctx, outputs_);
    rule_->Close(*group->state, reason, out);
  }
  if (reason == CloseReason::kIdle && rule_->KeepsIdleGroup()) {
    groups_.Touch(*group, ctx.now);  // idle again only after another idle_timeout
    return;
  }
  if (reason == CloseReason::kEvicted && !ctx.replay) evicted_.Add();
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

std::optional<std::string> RuleSlot::EvictOldest(SlotContext& ctx) {
  const std::string* oldest = groups_.Oldest();
  if (oldest == nullptr) return std::nullopt;
  std::string key = *oldest;
  Evict(key, CloseReason::kEvicted, ctx);
  return key;
}

bool RuleSlot::EvictGroup(const std::string& key, SlotContext& ctx) {
  if (groups_.Find(key) == nullptr) return false;
  Evict(key, CloseReason::kEvicted, ctx);
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

void RuleSlot::UpdateGauges() {
  state_bytes_.Set(static_cast<double>(groups_.bytes()));
  group_count_.Set(static_cast<double>(groups_.size()));
}

// One group's value after the key: device, kept values, the kind's bytes. Shared by the
// snapshot and the per-group checkpoints of earlier versions.
namespace {

struct DecodedGroup {
  std::string key;
  std::string device;
  Clock::TimePoint last_seen;
  std::vector<double> kept;
  std::unique_ptr<GroupState> state;
};

bool DecodeGroupBody(StateReader& in, const Rule& rule, size_t want_kept, DecodedGroup* out) {
  out->device = in.Str();
  const uint64_t kept = in.Count(8);
  for (uint64_t i = 0; i < kept && in.ok(); ++i) out->kept.push_back(in.F64());
  if (!in.ok() || out->kept.size() != want_kept) return false;
  auto state = rule.Decode(in);
  if (!state.ok()) return false;
  out->state = std::move(state.value());
  return in.ok();
}

}  // namespace

std::string RuleSlot::Snapshot() const {
  std::string value;
  value.reserve(groups_.bytes() / 2 + 32);
  StateWriter out(&value);
  out.U64(spec_.fingerprint);
  out.U64(groups_.size());
  std::string scratch;
  const auto& keys = groups_.keys();
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) {
    const GroupEntry& group = *groups_.Find(*it);
    out.Str(*it);
    out.I64(group.last_seen.time_since_epoch().count());
    scratch.clear();
    {
      StateWriter body(&scratch);
      body.Str(group.device);
      body.U64(group.kept.size());
      for (const double v : group.kept) body.F64(v);
      rule_->Encode(*group.state, body);
    }
    out.Str(scratch);
  }
  out.Flush();
  return value;
}

bool RuleSlot::RestoreSnapshot(std::string_view value) {
  StateReader in(value);
  if (in.U64() != spec_.fingerprint || !in.ok()) return false;
  const uint64_t count = in.Count(3);
  const size_t want_kept = spec_.raw == RawInput::kDeadband ? spec_.fields.size() : 0;
  std::vector<DecodedGroup> decoded(count);
  for (DecodedGroup& group : decoded) {
    group.key = in.Str();
    group.last_seen = Clock::TimePoint(Clock::Duration(in.I64()));
    const std::string body = in.Str();
    StateReader body_in(body);
    if (!in.ok() || !DecodeGroupBody(body_in, *rule_, want_kept, &group)) return false;
  }
  if (!in.ok() || !in.done() || groups_.size() != 0) return false;
  for (DecodedGroup& d : decoded) {  // oldest first: each goes to the front
    if (groups_.Find(d.key) != nullptr) {  // a key twice: bad bytes, nothing is kept
      while (const std::string* oldest = groups_.Oldest()) groups_.Erase(*oldest);
      return false;
    }
    GroupEntry& group = groups_.Insert(d.key, std::move(d.state), d.last_seen);
    group.device = std::move(d.device);
    group.kept = std::move(d.kept);
    groups_.Resize(group, rule_->Bytes(*group.state));
  }
  return true;
}

bool RuleSlot::Restore(std::string_view group_key, std::string_view value,
                       Clock::TimePoint now) {
  StateReader in(value);
  if (in.U64() != spec_.fingerprint || !in.ok()) return false;
  DecodedGroup d;
  const size_t want_kept = spec_.raw == RawInput::kDeadband ? spec_.fields.size() : 0;
  if (!DecodeGroupBody(in, *rule_, want_kept, &d)) return false;
  const std::string key(group_key);
  if (groups_.Find(key) != nullptr) return false;
  GroupEntry& group = groups_.Insert(key, std::move(d.state), now);
  group.device = std::move(d.device);
  group.kept = std::move(d.kept);
  groups_.Resize(group, rule_->Bytes(*group.state));
  return true;
}

}  // namespace ef::rules
