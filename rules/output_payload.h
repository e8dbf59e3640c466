// The JSON payload of a rule's output event, built from its typed fields:
//   {"rule":"temp-1m","device":"dev-07","group":"dev-07","window_start":..,"temp_mean":41.7}
// Doubles in their shortest round-trip form, NaN and infinities as null. Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/event.h"

namespace ef::rules {

std::string OutputPayload(std::string_view rule, std::string_view group, const Event& event);

}  // namespace ef::rules
