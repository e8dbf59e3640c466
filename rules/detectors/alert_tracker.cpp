#include "rules/detectors/alert_tracker.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "rules/detectors/num_codec.h"

namespace ef::rules {

std::string_view SeverityName(Severity severity) {
  static constexpr std::array<std::string_view, 3> kNames = {"info", "warning", "critical"};
  return kNames[static_cast<size_t>(severity)];
}

std::string_view AlertStateName(AlertState state) {
  static constexpr std::array<std::string_view, 3> kNames = {"raised", "active", "cleared"};
  return kNames[static_cast<size_t>(state)];
}

AlertTransition AlertTracker::Make(AlertState state, const Verdict& verdict,
                                   double value) const {
  AlertTransition t;
  t.state = state;
  t.alert_id = alert_id_;
  t.raised_ms = raised_ms_;
  t.severity = policy_.severity;
  t.score = verdict.score;
  t.peak_score = peak_score_;
  t.trigger_value = trigger_value_;
  t.value = value;
  return t;
}

std::optional<AlertTransition> AlertTracker::Update(int64_t t_ms, const Verdict& verdict,
                                                    double value) {
  if (active_) return WhileActive(t_ms, verdict, value);
  if (!verdict.anomalous) {
    streak_ = 0;
    return std::nullopt;
  }
  if (streak_++ == 0) streak_since_ms_ = t_ms;
  if (streak_ < policy_.raise_after || t_ms - streak_since_ms_ < policy_.raise_after_ms) {
    return std::nullopt;
  }
  active_ = true;
  streak_ = 0;
  normal_since_ms_ = -1;
  ++alert_id_;
  raised_ms_ = notified_ms_ = t_ms;
  peak_score_ = std::abs(verdict.score);
  trigger_value_ = value;
  return Make(AlertState::kRaised, verdict, value);
}

std::optional<AlertTransition> AlertTracker::WhileActive(int64_t t_ms, const Verdict& verdict,
                                                         double value) {
  if (verdict.anomalous) {
    normal_since_ms_ = -1;
    peak_score_ = std::max(peak_score_, std::abs(verdict.score));
  } else if (normal_since_ms_ < 0) {
    normal_since_ms_ = t_ms;
  }
  const bool calm_long_enough =
      normal_since_ms_ >= 0 && t_ms - normal_since_ms_ >= policy_.clear_after_ms;
  if (calm_long_enough && t_ms - raised_ms_ >= policy_.hold_off_ms) {
    active_ = false;
    return Make(AlertState::kCleared, verdict, value);
  }
  if (policy_.renotify_ms > 0 && t_ms - notified_ms_ >= policy_.renotify_ms) {
    notified_ms_ = t_ms;
    return Make(AlertState::kActive, verdict, value);
  }
  return std::nullopt;
}

std::optional<AlertTransition> AlertTracker::ForceClear(double value) {
  if (!active_) return std::nullopt;
  active_ = false;
  streak_ = 0;
  return Make(AlertState::kCleared, Verdict{}, value);
}

std::string AlertTracker::SaveState() const {
  return NumWriter("alert")
      .Int(active_ ? 1 : 0)
      .Int(streak_)
      .Int(streak_since_ms_)
      .Int(normal_since_ms_)
      .Int(alert_id_)
      .Int(raised_ms_)
      .Int(notified_ms_)
      .Num(peak_score_)
      .Num(trigger_value_)
      .Take();
}

Status AlertTracker::LoadState(std::string_view bytes) {
  NumReader in(bytes, "alert");
  AlertTracker loaded(policy_);
  loaded.active_ = in.Int() != 0;
  loaded.streak_ = in.Int();
  loaded.streak_since_ms_ = in.Int();
  loaded.normal_since_ms_ = in.Int();
  loaded.alert_id_ = in.Int();
  loaded.raised_ms_ = in.Int();
  loaded.notified_ms_ = in.Int();
  loaded.peak_score_ = in.Num();
  loaded.trigger_value_ = in.Num();
  if (!in.ok()) return Status::Corruption("checkpoint of an alert does not parse");
  *this = loaded;
  return Status::Ok();
}

}  // namespace ef::rules
