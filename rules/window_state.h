// The state of one group of a "window" rule: its watermark, its open windows and, for
// sliding windows, the samples they slide over; and its checkpoint encoding.
//
// Encoding (version 2): version byte, seen, max_ms, the open windows (start, end, events,
// then one FieldStats per field), then the samples (time as the difference to the previous
// sample's, per field a presence flag and the value). Version 1 (absolute sample times) is
// still read. A plain value owned by the engine; pipeline thread only.
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

// The samples of a sliding window, sorted by time, column by column: sample i's time is
// times[i] and its value of spec.fields[f] values[i * fields + f] (nullopt: it had none).
// Flat rather than a vector per sample: no allocation per event and no pointer to chase
// when a window is recomputed or checkpointed.
struct Samples {
  std::deque<int64_t> times;
  std::deque<std::optional<double>> values;

  size_t size() const { return times.size(); }
  bool empty() const { return times.empty(); }
  void PopFront(size_t fields) {
    times.pop_front();
    values.erase(values.begin(), values.begin() + static_cast<ptrdiff_t>(fields));
  }
  void clear() {
    times.clear();
    values.clear();
  }
};

struct WindowGroup final : GroupState {
  bool seen = false;  // max_ms is set
  int64_t max_ms = std::numeric_limits<int64_t>::min();  // latest event time of the group
  std::vector<OpenWindow> open;  // time windows sorted by start
  Samples samples;               // sliding windows only

  size_t Bytes() const;
  // `fields` is how many fields each window and sample holds (spec.fields).
  void Encode(StateWriter& out, size_t fields) const;
  // False on bad bytes.
  bool Decode(StateReader& in, size_t fields);
};

}  // namespace ef::rules
