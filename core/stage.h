// Stage: one step of the pipeline between the hand-off queue and the store: decoding, data
// contracts, windows, detectors. The pipeline runs its stages in a fixed order on one thread.
//
// - Process() sees each group of received events, in arrival order, with the time. It may
//   change events in place, drop them (erase) and add new ones (outputs, e.g. a window's
//   aggregate on its own stream). What it leaves in `group.events` is the next stage's
//   input, and after the last stage it is committed.
// - A stage that must act without new input (a window of a device gone quiet, a
//   missing-data detector) names the monotonic time it wants to be called at in NextTimer();
//   the pipeline calls OnTimer() at or after it, with an empty group to add events to;
//   OnTimer() must move NextTimer() past `now` (or to kNoTimer), or it is called again at once.
// - State to survive a restart goes into `group.state` under keys of the stage's own
//   choosing; the pipeline commits it in the SAME transaction as the group's events (and
//   prefixes the keys with the stage's name), so a checkpoint never disagrees with the
//   outputs already queued. Restore() gets back, once before the first group, what was last
//   committed, with the stage's keys as it wrote them.
// - If a commit fails, the pipeline retries the same group; the stage is not asked again.
//
// Thread-safety: all methods are called from the pipeline thread only (Restore and name()
// also before it starts). A stage never blocks: no I/O but through what it is given.
// Errors are returned, never thrown.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/event.h"
#include "core/status.h"
#include "core/store.h"

namespace ef {

// What a stage works on: the group's events, the state it hands to the commit, and the time.
struct StageGroup {
  std::vector<Event>& events;
  std::vector<StateEntry>& state;
  Clock::TimePoint now;  // monotonic: for durations, windows' idle timeouts, timers
  int64_t wall_ms = 0;   // wall clock, ms since the Unix epoch: for timestamps
  // Where a stage puts the events it refuses (moved out of `events`). Null when the caller
  // keeps no dead letters: a stage then passes a refused event on with Quality::kBad.
  std::vector<DeadLetterEntry>* dead_letters = nullptr;
};

class Stage {
 public:
  static constexpr Clock::TimePoint kNoTimer = Clock::TimePoint::max();

  virtual ~Stage() = default;
  // Unique among the pipeline's stages; names its state in the store ("<name>/<key>").
  virtual const std::string& name() const = 0;
  // The state committed before, as the stage wrote it (keys without the name prefix).
  virtual Status Restore(std::span<const StateEntry> state) = 0;
  virtual void Process(StageGroup& group) = 0;
  // When OnTimer() is wanted next; kNoTimer for never.
  virtual Clock::TimePoint NextTimer() const { return kNoTimer; }
  virtual void OnTimer(StageGroup& group) { (void)group; }
};

}  // namespace ef
