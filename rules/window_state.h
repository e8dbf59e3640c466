// The state of one group of a "window" rule: its watermark, its open windows and, for
// sliding windows, the samples they slide over; and its checkpoint encoding.
//
// Encoding (version 1): version byte, seen, max_ms, the open windows (start, end, events,
// then one FieldStats per field), then the samples (time, per field a presence flag and the
// value). A plain value owned by the engine; pipeline thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <vector>

#include "rules/aggregates.h"
#include "rules/rule.h"
#include "rules/state_codec.h"

namespace ef::rules {

// One open window: [start_ms, end_ms) for time windows; for session and count windows the
// first and last event time seen (end inclusive).
struct OpenWindow {
  int64_t start_ms = 0, end_ms = 0;
  uint64_t events = 0;
  std::vector<FieldStats> fields;  // one per spec.fields, in order
};

// One sample of a sliding window: its time and the values of spec.fields it carried.
struct Sample {
  int64_t time_ms = 0;
  std::vector<std::optional<double>> values;
};

struct WindowGroup final : GroupState {
  bool seen = false;  // max_ms is set
  int64_t max_ms = std::numeric_limits<int64_t>::min();  // latest event time of the group
  std::vector<OpenWindow> open;  // time windows sorted by start
  std::deque<Sample> samples;    // sliding windows only, sorted by time

  size_t Bytes() const;
  void Encode(StateWriter& out) const;
  // False on bad bytes; `fields` is how many fields each window and sample must hold.
  bool Decode(StateReader& in, size_t fields);
};

}  // namespace ef::rules
