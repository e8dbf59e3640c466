// The "window" rule kind: aggregates a group's events over windows in event time.
//
//   window = "tumbling"  size                 fixed, back to back, aligned to the epoch
//            "hopping"   size, hop            overlapping: a window of `size` every `hop`
//            "sliding"   size | events        on every event, over the last `size` of event
//                                             time or the last `events` events
//            "session"   gap [, max_length]   events closer than `gap` together
//            "count"     events               every `events` events, in arrival order
//
// A time window closes when the group's watermark (the latest event time it saw, minus
// `lateness`) passes its end; an event whose every window is closed is late (the engine
// counts it and copies it to the late stream). `idle_timeout` (common key) closes a silent
// group's windows early, marked partial. Each closed window is one output event with the
// fields window_start, window_end (ms), count (events), partial (only when closed early) and
// <field>_<aggregate> for each of `fields` x `aggregates` (aggregates.h).
//
// Thread-safety: see rule.h (the Rule is immutable; group state is the pipeline thread's).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/config_bind.h"
#include "rules/aggregates.h"
#include "rules/rule.h"

namespace ef::rules {

enum class WindowType { kTumbling, kHopping, kSliding, kSession, kCount };

struct WindowConfig {
  WindowType type = WindowType::kTumbling;  // `window`, required
  int64_t size_ms = 0;        // tumbling, hopping, sliding over time
  int64_t hop_ms = 0;         // hopping: must be > 0 and <= size
  int64_t gap_ms = 0;         // session: required
  int64_t max_length_ms = 0;  // session: 0 = unbounded. Default: 0
  int64_t events = 0;         // count; sliding over events
  // Default: ["count", "mean", "min", "max"]
  std::vector<const AggregateDef*> aggregates;
  int64_t max_samples = 10'000;  // sliding: samples kept per group. Default: 10000
};

// The factory registered as kind "window" (rule_kinds.cpp).
std::unique_ptr<Rule> MakeWindowRule(const ConfigNode& table, SharedTable& shared,
                                     RuleSpec& spec, ConfigErrors& errors);

// Builds the rule from a config already checked (for tests and benchmarks).
std::unique_ptr<Rule> NewWindowRule(const RuleSpec& spec, WindowConfig config);

}  // namespace ef::rules
