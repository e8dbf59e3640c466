// AlertEvent(): the Event that carries one alert transition on the `alerts` stream (high
// priority: [streams.alerts] priority, 100 by default, so alerts are uplinked first after an
// outage). Fields: rule, field, state (raised | active | cleared), alert_id, severity, score,
// peak_score, trigger_value, value, raised_ms; the payload is the same as one JSON object, so
// the cloud and a local subscriber read it without a schema. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "rules/detectors/alert_tracker.h"

namespace ef::rules {

struct AlertSource {
  std::string_view rule;     // the rule's name
  std::string_view device;   // the group's device
  std::string_view field;    // the field the detector watches
  std::string_view stream = "alerts";
};

// The alert's fields without rule and device (the rules engine adds those to the payload):
// field, state, alert_id, severity, score, peak_score, trigger_value, value, raised_ms.
std::vector<Field> AlertFields(std::string_view field, const AlertTransition& transition);

// An alert event at `event_time_ms` (the sample's or the tick's time).
Event AlertEvent(const AlertSource& source, const AlertTransition& transition,
                 int64_t event_time_ms);

}  // namespace ef::rules
