// RecentEvents: the latest events of one stream, for the status page. A pipeline stage that
// passes every event through unchanged, adds none, and remembers a short summary of each
// event on its stream (by default "alerts": what detectors raise, and alerts that arrived as
// messages) in a RecentEventLog, a bounded ring that other threads read. The summary's name,
// severity, state and message come from the event's fields when it has them, else from the
// top-level members of its JSON payload (kKeys in recent_events.cpp lists the names looked
// for); the time is the event time, else the ingest time. Nothing is kept across a restart
// (the events themselves are in the queue).
//
// It must run after every stage that can produce events on its stream (the gateway puts it
// last).
//
// Thread-safety: RecentEventLog is thread-safe (one mutex, held only to copy); the stage is
// called from the pipeline thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "core/stage.h"

namespace ef::pipeline {

struct EventSummary {
  int64_t time_ms = 0;  // wall clock, ms since the Unix epoch
  std::string device;
  std::string name;      // "" when the event names none
  std::string severity;  // "" when the event gives none
  std::string state;     // a detector's transition ("raised", "cleared"); "" when none
  std::string message;   // "" when the event has none
};

// The summary of `event` (see above). Pure.
EventSummary Summarize(const Event& event);

class RecentEventLog {
 public:
  explicit RecentEventLog(size_t capacity) : capacity_(capacity) {}
  // Keeps `summary`, forgetting the oldest beyond the capacity.
  void Add(EventSummary summary);
  // What is kept, newest first.
  std::vector<EventSummary> Latest() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::deque<EventSummary> kept_;  // oldest first
};

class RecentEvents final : public Stage {
 public:
  // REQUIRES: `log` outlives the stage.
  RecentEvents(std::string stream, RecentEventLog& log);

  const std::string& name() const override { return name_; }
  Status Restore(std::span<const StateEntry>) override { return Status::Ok(); }
  void Process(StageGroup& group) override;

 private:
  const std::string stream_;
  const std::string name_;
  RecentEventLog& log_;
};

}  // namespace ef::pipeline
