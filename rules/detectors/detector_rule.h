// The "detector" rule kind: anomaly detection with alerts, on the rules engine (rule.h).
//
// For each group (device, by default) and each of the rule's `fields`, a detector of the
// configured type (detector_config.h) sees the field's numeric values in event time, and an
// AlertTracker turns its verdicts into raised / active / cleared transitions; each transition
// is one output event on the rule's output stream, "alerts" unless `output` says otherwise
// (alert_event.h lists its fields). An event older than the last one the group saw is late
// (the engine counts it and copies it to the late stream); a detector only moves forward.
//
// detector = "missing" needs time to pass without events: the rule sets the engine's
// `idle_timeout` to the detector's `timeout` (unless given) and raises the alert when the
// engine closes the silent group for idleness; the rule keeps the group (Rule::KeepsIdleGroup),
// so the device's next sample clears the alert.
//
// When the engine closes a group for another reason than idleness (the rule was removed or
// changed by a reload, or a memory bound evicted the group), an open alert is cleared, with a
// `reason` field, so that none is left open forever at the cloud.
//
// Non-finite values (NaN, infinities) are ignored.
//
// Checkpoint: each field's detector and alert state (detector.h, alert_tracker.h).
// Thread-safety: see rule.h.
#pragma once

#include <memory>

#include "core/config.h"
#include "core/config_bind.h"
#include "rules/rule.h"
#include "rules/rule_spec.h"

namespace ef::rules {

// The factory registered as kind "detector" (rule_kinds.cpp).
std::unique_ptr<Rule> MakeDetectorRule(const ConfigNode& table, SharedTable& shared,
                                       RuleSpec& spec, ConfigErrors& errors);

}  // namespace ef::rules
