// AlertTracker: turns a detector's verdicts into an alert's lifecycle, as an operator of a
// SCADA alarm list or Grafana alerting expects: raised, still active, cleared.
//
// - Debounce: the alert is raised only once the detector said "anomalous" for `raise_after`
//   consecutive verdicts AND for at least `raise_after_ms` (both 1 / 0 by default: at once).
// - Clearing: once raised, it clears after the verdicts were normal for `clear_after_ms`
//   (and at least one normal verdict), never before `hold_off_ms` since it was raised: a
//   condition flapping within the hold-off is the same incident, one alert.
// - While active, `renotify_ms` > 0 repeats a "still active" transition at that interval.
// The transition carries the alert's sequence number (one per incident), the severity, the
// worst score seen and the value that caused it, for the alert event.
//
// Time is the caller's (event-time ms), non-decreasing. State is checkpointed with
// SaveState()/LoadState() (num_codec.h). Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "rules/detectors/detector.h"

namespace ef::rules {

enum class Severity : uint8_t { kInfo, kWarning, kCritical };
enum class AlertState : uint8_t { kRaised, kActive, kCleared };

std::string_view SeverityName(Severity severity);
std::string_view AlertStateName(AlertState state);

struct AlertPolicy {
  int64_t raise_after = 1;      // Default: 1 consecutive anomalous verdict
  int64_t raise_after_ms = 0;   // Default: 0
  int64_t clear_after_ms = 0;   // Default: 0 (the first normal verdict clears)
  int64_t hold_off_ms = 0;      // Default: 0
  int64_t renotify_ms = 0;      // Default: 0 (no "still active" reminders)
  Severity severity = Severity::kWarning;  // Default: warning
};

struct AlertTransition {
  AlertState state = AlertState::kRaised;
  int64_t alert_id = 0;       // 1, 2, ... per tracker: one per incident
  int64_t raised_ms = 0;      // when it was raised
  Severity severity = Severity::kWarning;
  double score = 0.0;         // the verdict's score now
  double peak_score = 0.0;    // the largest |score| since it was raised
  double trigger_value = 0.0; // the value of the sample that raised it
  double value = 0.0;         // the value now (0 for a tick without a sample)
};

class AlertTracker {
 public:
  explicit AlertTracker(AlertPolicy policy) : policy_(policy) {}

  // Feeds one verdict; returns a transition when the alert is raised, reminded or cleared.
  std::optional<AlertTransition> Update(int64_t t_ms, const Verdict& verdict, double value);
  bool active() const { return active_; }
  // Ends an active alert now, whatever the verdicts (its rule was removed, its group closed):
  // the "cleared" transition, or nullopt when no alert is active.
  std::optional<AlertTransition> ForceClear(double value);
  std::string SaveState() const;
  Status LoadState(std::string_view bytes);

 private:
  AlertTransition Make(AlertState state, const Verdict& verdict, double value) const;
  std::optional<AlertTransition> WhileActive(int64_t t_ms, const Verdict& verdict, double value);

  AlertPolicy policy_;
  bool active_ = false;
  int64_t streak_ = 0;            // consecutive anomalous verdicts while not active
  int64_t streak_since_ms_ = 0;
  int64_t normal_since_ms_ = -1;  // first normal verdict of the current calm while active
  int64_t alert_id_ = 0;
  int64_t raised_ms_ = 0;
  int64_t notified_ms_ = 0;
  double peak_score_ = 0.0;
  double trigger_value_ = 0.0;
};

}  // namespace ef::rules
