// What Completeness (pipeline/completeness.h) checkpoints per device, so that its windows,
// learned intervals and silences survive a restart, and the text it is stored as (a
// StateEntry value): "v1 <learned_interval_ms> <last_ms> <received> <gaps> <silent 0|1>
// <learning samples...>". Times are wall-clock ms (the pipeline's monotonic time does not
// survive a restart). Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ef::pipeline {

struct DeviceCheckpoint {
  int64_t learned_interval_ms = 0;  // 0: not learned (declared intervals come from config)
  int64_t last_ms = 0;              // ingest time of its latest event; 0 before the first
  uint64_t received = 0;            // in the open window
  uint64_t gaps = 0;                // in the open window
  bool silent = false;
  std::vector<int64_t> learning;  // gaps seen while learning the interval
};

std::string EncodeCheckpoint(const DeviceCheckpoint& checkpoint);
// Nothing when `text` is not what EncodeCheckpoint writes.
std::optional<DeviceCheckpoint> DecodeCheckpoint(std::string_view text);

// The open window's end, wall clock ms: "v1 <end_ms>".
std::string EncodeWindowEnd(int64_t end_ms);
std::optional<int64_t> DecodeWindowEnd(std::string_view text);

}  // namespace ef::pipeline
