#include "pipeline/completeness.h"

#include <algorithm>
#include <charconv>

#include "pipeline/completeness_state.h"

namespace ef::pipeline {
namespace {
// How often silence is looked for between windows.
constexpr std::chrono::seconds kSilenceCheck{1};
// State keys: the open window's end, and a device's checkpoint ("d/<device id>").
constexpr char kWindowKey[] = "window";
constexpr std::string_view kDevicePrefix = "d/";

std::string Number(double v) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), v);
  return std::string(buffer, result.ptr);
}
}  // namespace

Completeness::Completeness(MetricsRegistry& metrics, CompletenessOptions options)
    : metrics_(metrics), options_(std::move(options)),
      silent_(metrics.GetGauge("edgeferry_devices_silent",
                               "Devices without an event for silent_intervals intervals.")),
      discarded_(metrics.GetCounter("edgeferry_completeness_state_discarded_total",
                                    "Completeness checkpoints that did not decode at a start "
                                    "and were skipped.")) {}

Status Completeness::Restore(std::span<const StateEntry> state) {
  for (const StateEntry& entry : state) {
    if (entry.key == kWindowKey) {
      if (auto end = DecodeWindowEnd(entry.value)) restored_window_end_ms_ = *end;
      else discarded_.Add();
    } else if (entry.key.starts_with(kDevicePrefix)) {
      restored_[entry.key.substr(kDevicePrefix.size())] = entry.value;
    }
  }
  // Timers from the first turn of the pipeline, even before any event: a device that went
  // quiet before the restart is found silent.
  if (restored_window_end_ms_ != 0 || !restored_.empty()) next_timer_ = Clock::TimePoint{};
  return Status::Ok();
}

void Completeness::Begin(StageGroup& group) {
  if (begun_) return;
  begun_ = true;
  window_end_ = group.now + options_.window;
  if (restored_window_end_ms_ != 0) {
    const auto left = std::chrono::milliseconds(restored_window_end_ms_ - group.wall_ms);
    if (left <= std::chrono::milliseconds::zero()) {
      window_end_ = group.now;  // it ended while the gateway was down: close it now
    } else if (left < options_.window) {
      window_end_ = group.now + left;
    }
  }
  Resume(group);
  next_timer_ = std::min(window_end_, group.now + kSilenceCheck);
  CheckpointWindow(group);
}

void Completeness::Resume(StageGroup& group) {
  for (const auto& [device, text] : restored_) {
    const std::optional<DeviceCheckpoint> c = DecodeCheckpoint(text);
    Devices::value_type* entry = c ? Find(device) : nullptr;
    if (entry == nullptr) {
      if (!c) discarded_.Add();
      continue;
    }
    Device& d = entry->second;
    if (d.interval_ms == 0 && c->learned_interval_ms > 0) {
      d.interval_ms = c->learned_interval_ms;
      d.interval->Set(static_cast<double>(d.interval_ms) / 1000.0);
    }
    d.learning = c->learning;
    d.last_ms = c->last_ms;
    if (d.last_ms != 0) {  // as long ago, on the monotonic clock, as on the wall clock
      d.last_now = group.now - std::chrono::milliseconds(std::max<int64_t>(
                                   0, group.wall_ms - d.last_ms));
    }
    d.received = c->received;
    d.gaps = c->gaps;
    d.silent = c->silent;
    if (d.silent) silent_.Add(1);
  }
  restored_.clear();
}

void Completeness::MarkDirty(Devices::value_type& entry) {
  if (entry.second.dirty) return;
  entry.second.dirty = true;
  dirty_.push_back(&entry);
}

void Completeness::Checkpoint(StageGroup& group) {
  for (Devices::value_type* entry : dirty_) {
    Device& d = entry->second;
    d.dirty = false;
    const bool learned = !options_.expected_interval_ms.contains(entry->first);
    const DeviceCheckpoint c{learned ? d.interval_ms : 0, d.last_ms, d.received, d.gaps,
                             d.silent, d.learning};
    group.state.push_back({std::string(kDevicePrefix) + entry->first, EncodeCheckpoint(c)});
  }
  dirty_.clear();
}

void Completeness::CheckpointWindow(StageGroup& group) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(window_end_ - group.now);
  group.state.push_back({kWindowKey, EncodeWindowEnd(group.wall_ms + left.count())});
}

Completeness::Devices::value_type* Completeness::Find(const std::string& device) {
  if (auto it = devices_.find(device); it != devices_.end()) return &*it;
  if (devices_.size() >= options_.max_devices) return nullptr;
  const MetricLabels labels = {{"device", device}};
  Device d;
  d.ratio = &metrics_.GetGauge("edgeferry_device_completeness_ratio",
                               "Received / expected events of the device's last closed window.",
                               labels);
  d.interval = &metrics_.GetGauge("edgeferry_device_expected_interval_seconds",
                                  "Expected time between the device's events (declared or "
                                  "learned); 0 while unknown.",
                                  labels);
  d.gaps_total = &metrics_.GetCounter("edgeferry_device_gaps_total",
                                      "Times the device sent nothing for gap_intervals "
                                      "intervals.",
                                      labels);
  if (auto declared = options_.expected_interval_ms.find(device);
      declared != options_.expected_interval_ms.end()) {
    d.interval_ms = declared->second;
    d.interval->Set(static_cast<double>(d.interval_ms) / 1000.0);
  }
  return &*devices_.emplace(device, d).first;
}

void Completeness::Process(StageGroup& group) {
  Begin(group);
  const size_t inputs = group.events.size();  // not what this stage adds
  for (size_t i = 0; i < inputs; ++i) {
    const Event& event = group.events[i];
    if (event.device_id.empty() || event.stream == options_.stream) continue;
    if (Devices::value_type* entry = Find(event.device_id)) {
      Note(entry->second, event.ingest_time_ms, group.now);
      MarkDirty(*entry);
    }
  }
  Checkpoint(group);
}

void Completeness::Note(Device& d, int64_t ingest_ms, Clock::TimePoint now) {
  if (d.last_ms != 0) {
    const int64_t gap_ms = ingest_ms - d.last_ms;
    if (d.interval_ms > 0 &&
        static_cast<double>(gap_ms) > options_.gap_intervals * static_cast<double>(d.interval_ms)) {
      ++d.gaps;
      d.gaps_total->Add();
    }
    Learn(d, gap_ms);
  }
  if (d.silent) {
    d.silent = false;
    silent_.Add(-1);
  }
  d.last_ms = std::max(d.last_ms, ingest_ms);
  d.last_now = now;
  ++d.received;
}

void Completeness::Learn(Device& d, int64_t gap_ms) {
  if (d.interval_ms > 0 || gap_ms <= 0) return;
  d.learning.push_back(gap_ms);
  if (d.learning.size() < options_.learn_samples) return;
  // The median: a gap (the device was down) or a burst does not skew it.
  std::nth_element(d.learning.begin(), d.learning.begin() + d.learning.size() / 2,
                   d.learning.end());
  d.interval_ms = d.learning[d.learning.size() / 2];
  d.interval->Set(static_cast<double>(d.interval_ms) / 1000.0);
  d.learning.clear();
  d.learning.shrink_to_fit();
}

void Completeness::OnTimer(StageGroup& group) {
  Begin(group);
  CheckSilence(group);
  if (group.now >= window_end_) {
    CloseWindow(group);
    window_end_ += options_.window;
    if (window_end_ <= group.now) window_end_ = group.now + options_.window;  // long pause
    CheckpointWindow(group);
  }
  Checkpoint(group);
  next_timer_ = std::min(window_end_, group.now + kSilenceCheck);
}

void Completeness::CheckSilence(StageGroup& group) {
  for (auto& entry : devices_) {
    auto& [device, d] = entry;
    if (d.silent || d.interval_ms <= 0 || d.last_now == Clock::TimePoint{}) continue;
    const auto quiet = std::chrono::duration<double, std::milli>(group.now - d.last_now).count();
    if (quiet <= options_.silent_intervals * static_cast<double>(d.interval_ms)) continue;
    d.silent = true;
    silent_.Add(1);
    MarkDirty(entry);
    Emit(group, device,
         R"({"kind":"silent","last_seen_ms":)" + std::to_string(d.last_ms) +
             R"(,"interval_ms":)" + std::to_string(d.interval_ms) + "}");
  }
}

void Completeness::CloseWindow(StageGroup& group) {
  const double window_ms = static_cast<double>(options_.window.count());
  for (auto& entry : devices_) {
    auto& [device, d] = entry;
    if (d.received != 0 || d.gaps != 0) MarkDirty(entry);
    if (d.interval_ms > 0) {
      const double expected = window_ms / static_cast<double>(d.interval_ms);
      const double ratio = static_cast<double>(d.received) / expected;
      d.ratio->Set(ratio);
      Emit(group, device,
           R"({"kind":"completeness","window_s":)" + Number(window_ms / 1000.0) +
               R"(,"received":)" + std::to_string(d.received) + R"(,"expected":)" +
               Number(expected) + R"(,"ratio":)" + Number(ratio) + R"(,"gaps":)" +
               std::to_string(d.gaps) + R"(,"silent":)" + (d.silent ? "true" : "false") + "}");
    }
    d.received = 0;
    d.gaps = 0;
  }
}

void Completeness::Emit(StageGroup& group, const std::string& device, std::string payload) {
  Event& e = group.events.emplace_back();
  e.stream = options_.stream;
  e.device_id = device;
  e.origin = "completeness";
  e.ingest_time_ms = group.wall_ms;
  e.event_time_ms = group.wall_ms;
  e.format = PayloadFormat::kJson;
  e.payload = std::move(payload);
}

}  // namespace ef::pipeline
