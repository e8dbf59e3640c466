// Completeness: a pipeline stage that measures, per device, how much of what it should send
// arrives. Each device has an expected interval between samples: declared in config, or
// learned from its own history (the median of its first `learn_samples` gaps between
// events). Per device and window (`window`, aligned to when the stage started) it counts
// the events received, the events expected (window / interval), and the gaps (no event for
// more than `gap_intervals` intervals); a device with no event for `silent_intervals`
// intervals is silent until it sends again.
//
// Outputs, besides passing every event through unchanged:
// - at each window's end, one event per device with a known interval on `stream` (default
//   "aggregates"), payload {"kind":"completeness","window_s":..,"received":..,"expected":..,
//   "ratio":..,"gaps":..,"silent":..}, and when a device goes silent an event
//   {"kind":"silent","last_seen_ms":..,"interval_ms":..};
// - metrics: edgeferry_device_completeness_ratio{device} (the last closed window),
//   edgeferry_device_gaps_total{device}, edgeferry_device_expected_interval_seconds{device},
//   edgeferry_devices_silent.
// At most `max_devices` devices are followed (the first ones seen). Times between events come
// from their ingest times (wall clock); windows and silence from the pipeline's monotonic
// time.
//
// Restarts: each device's counts, learned interval, last event and silence, and the open
// window's end (in wall-clock time), are checkpointed in the stage's state (core/stage.h)
// with the group that changed them, so they are committed with the events they counted
// (pipeline/completeness_state.h has the format). After a restart the window goes on to its
// end; a window that ended while the gateway was down is closed at once, with what it had;
// a device quiet since before the restart is silent once its silence is long enough, counted
// from its last event. A checkpoint that does not decode is skipped and counted
// (edgeferry_completeness_state_discarded_total).
//
// Thread-safety: a Stage: the pipeline thread only.
#pragma once

#include <chrono>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/stage.h"

namespace ef::pipeline {

struct CompletenessOptions {
  std::chrono::milliseconds window{3600 * 1000};  // Default: 1 hour
  double gap_intervals = 3;                       // Default: 3 intervals
  double silent_intervals = 10;                   // Default: 10 intervals
  size_t learn_samples = 10;                      // Default: 10 gaps between events
  size_t max_devices = 1000;                      // Default: 1000
  std::string stream = "aggregates";              // Default: "aggregates"
  std::map<std::string, int64_t> expected_interval_ms;  // declared, by device
};

class Completeness final : public Stage {
 public:
  Completeness(MetricsRegistry& metrics, CompletenessOptions options);

  const std::string& name() const override { return name_; }
  Status Restore(std::span<const StateEntry> state) override;
  void Process(StageGroup& group) override;
  Clock::TimePoint NextTimer() const override { return next_timer_; }
  void OnTimer(StageGroup& group) override;

 private:
  struct Device {
    int64_t interval_ms = 0;  // 0 until declared or learned
    std::vector<int64_t> learning;
    int64_t last_ms = 0;        // ingest time of its latest event; 0 before the first
    Clock::TimePoint last_now{};  // pipeline time of its latest event
    uint64_t received = 0;        // in the current window
    uint64_t gaps = 0;            // in the current window
    bool silent = false;
    bool dirty = false;  // changed since its last checkpoint
    Gauge* ratio = nullptr;
    Gauge* interval = nullptr;
    Counter* gaps_total = nullptr;
  };
  using Devices = std::map<std::string, Device, std::less<>>;
  // Once, at the first group or timer: starts the window (or resumes the restored one) and
  // applies the restored devices.
  void Begin(StageGroup& group);
  void Resume(StageGroup& group);
  Devices::value_type* Find(const std::string& device);
  void MarkDirty(Devices::value_type& entry);
  // Adds a checkpoint of every device changed since the last one to `group.state`.
  void Checkpoint(StageGroup& group);
  void CheckpointWindow(StageGroup& group);
  void Note(Device& d, int64_t ingest_ms, Clock::TimePoint now);
  void Learn(Device& d, int64_t gap_ms);
  void CloseWindow(StageGroup& group);
  void CheckSilence(StageGroup& group);
  void Emit(StageGroup& group, const std::string& device, std::string payload);

  const std::string name_ = "completeness";
  MetricsRegistry& metrics_;
  const CompletenessOptions options_;
  Gauge& silent_;
  Counter& discarded_;
  Devices devices_;
  std::vector<Devices::value_type*> dirty_;
  std::map<std::string, std::string> restored_;  // device -> checkpoint, until Begin
  int64_t restored_window_end_ms_ = 0;           // 0: none
  bool begun_ = false;
  Clock::TimePoint window_end_ = kNoTimer;  // set by Begin
  Clock::TimePoint next_timer_ = kNoTimer;
};

}  // namespace ef::pipeline
