#include "rules/detectors/detector_rule.h"

#include <climits>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "rules/detectors/alert_event.h"
#include "rules/detectors/alert_tracker.h"
#include "rules/detectors/detector_config.h"

namespace ef::rules {
namespace {

struct FieldState {
  std::unique_ptr<Detector> detector;
  AlertTracker tracker;
  double last_value = 0.0;
};

class DetectorGroup final : public GroupState {
 public:
  std::vector<FieldState> fields;
  int64_t last_ms = INT64_MIN;
};

std::optional<double> NumberOf(const Event& event, const std::string& name) {
  for (const Field& f : event.fields) {
    if (f.name != name) continue;
    if (const auto* d = std::get_if<double>(&f.value)) return *d;
    if (const auto* i = std::get_if<int64_t>(&f.value)) return static_cast<double>(*i);
    if (const auto* b = std::get_if<bool>(&f.value)) return *b ? 1.0 : 0.0;
    return std::nullopt;
  }
  return std::nullopt;
}

// Memory a detector of `keys` holds, roughly (its sample rings dominate).
size_t FieldBytes(const DetectorKeys& keys) {
  switch (keys.type) {
    case DetectorType::kAdaptive: {
      // Two sorted windows (arrival order and sorted copy each) and two 16-bit rings.
      const AdaptiveConfig c{};
      return 256 + 32 * static_cast<size_t>(c.history) +
             2 * static_cast<size_t>(c.likelihood_window + c.smoothing);
    }
    case DetectorType::kZScore:
      return 256 + 8 * static_cast<size_t>(keys.window);
    case DetectorType::kRobustZ:
      return 256 + 16 * static_cast<size_t>(keys.window);
    default:
      return 256;
  }
}

class DetectorRule final : public Rule {
 public:
  DetectorRule(const RuleSpec& spec, DetectorKeys keys)
      : fields_(spec.fields), rule_name_(spec.name), keys_(keys) {}

  std::unique_ptr<GroupState> NewGroup() const override {
    auto group = std::make_unique<DetectorGroup>();
    for (size_t i = 0; i < fields_.size(); ++i) {
      group->fields.push_back({MakeDetector(keys_), AlertTracker(keys_.alert)});
    }
    return group;
  }

  Taken OnEvent(GroupState& state, const Event& event, Emitter& out) const override {
    auto& group = static_cast<DetectorGroup&>(state);
    if (event.event_time_ms < group.last_ms) return Taken::kLate;
    group.last_ms = event.event_time_ms;
    for (size_t i = 0; i < fields_.size(); ++i) {
      const std::optional<double> value = NumberOf(event, fields_[i]);
      if (!value || !std::isfinite(*value)) continue;  // NaN would corrupt sorted windows
      FieldState& f = group.fields[i];
      f.last_value = *value;
      const Verdict verdict = f.detector->Observe(event.event_time_ms, *value);
      if (auto t = f.tracker.Update(event.event_time_ms, verdict, *value)) {
        Emit(out, event.event_time_ms, fields_[i], *t);
      }
    }
    return Taken::kUsed;
  }

  void Close(GroupState& state, CloseReason reason, Emitter& out) const override {
    auto& group = static_cast<DetectorGroup&>(state);
    if (reason != CloseReason::kIdle) {
      // The group goes (its rule was removed or changed, or a memory bound evicted it): an
      // open alert is cleared rather than left dangling at the cloud.
      for (size_t i = 0; i < fields_.size(); ++i) {
        FieldState& f = group.fields[i];
        if (auto t = f.tracker.ForceClear(f.last_value)) {
          Emit(out, group.last_ms, fields_[i], *t, reason);
        }
      }
      return;
    }
    if (keys_.type != DetectorType::kMissing) return;
    const int64_t at = group.last_ms + keys_.timeout_ms;
    for (size_t i = 0; i < fields_.size(); ++i) {
      FieldState& f = group.fields[i];
      const Verdict verdict = f.detector->Tick(at);
      if (auto t = f.tracker.Update(at, verdict, f.last_value)) Emit(out, at, fields_[i], *t);
    }
  }

  // A missing-data rule keeps a silent device's group, so that its next sample clears the
  // alert the idle close raised.
  bool KeepsIdleGroup() const override { return keys_.type == DetectorType::kMissing; }

  size_t Bytes(const GroupState& state) const override {
    return 64 + static_cast<const DetectorGroup&>(state).fields.size() * FieldBytes(keys_);
  }

  void Encode(const GroupState& state, StateWriter& out) const override {
    const auto& group = static_cast<const DetectorGroup&>(state);
    out.I64(group.last_ms);
    out.U64(group.fields.size());
    for (const FieldState& f : group.fields) {
      out.F64(f.last_value);
      out.Str(f.detector->SaveState());
      out.Str(f.tracker.SaveState());
    }
  }

  Result<std::unique_ptr<GroupState>> Decode(StateReader& in) const override {
    auto group = std::unique_ptr<DetectorGroup>(static_cast<DetectorGroup*>(NewGroup().release()));
    group->last_ms = in.I64();
    const uint64_t n = in.U64();
    if (!in.ok() || n != group->fields.size()) {
      return Status::Corruption("detector rule '" + rule_name_ + "': field count changed");
    }
    for (FieldState& f : group->fields) {
      f.last_value = in.F64();
      const std::string detector = in.Str();
      const std::string tracker = in.Str();
      if (!in.ok()) return Status::Corruption("detector rule '" + rule_name_ + "': truncated");
      if (Status s = f.detector->LoadState(detector); !s.ok()) return s;
      if (Status s = f.tracker.LoadState(tracker); !s.ok()) return s;
    }
    return std::unique_ptr<GroupState>(std::move(group));
  }

 private:
  static void Emit(Emitter& out, int64_t t_ms, const std::string& field,
                   const AlertTransition& t, std::optional<CloseReason> closed = std::nullopt) {
    Event& e = out.NewOutput(t_ms);
    e.fields = AlertFields(field, t);
    if (closed) {
      e.fields.push_back({"reason", std::string(*closed == CloseReason::kEvicted
                                                    ? "evicted (memory bound)"
                                                    : "rule removed or changed")});
    }
  }

  const std::vector<std::string> fields_;
  const std::string rule_name_;
  const DetectorKeys keys_;
};

}  // namespace

std::unique_ptr<Rule> MakeDetectorRule(const ConfigNode& table, SharedTable& shared,
                                       RuleSpec& spec, ConfigErrors& errors) {
  const size_t errors_before = errors.lines().size();
  DetectorKeys keys;
  BindDetectorKeys(table, shared, keys, errors);
  if (table.Find("output") == nullptr) spec.output = "alerts";
  if (spec.fields.empty()) {
    errors.Add(table.pos, "a detector rule needs 'fields' (e.g. fields = [\"temp\"])");
  }
  if (keys.type == DetectorType::kMissing && table.Find("idle_timeout") == nullptr) {
    spec.idle_timeout_ms = keys.timeout_ms;
  }
  if (errors.lines().size() != errors_before) return nullptr;
  return std::make_unique<DetectorRule>(spec, keys);
}

}  // namespace ef::rules
