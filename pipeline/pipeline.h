// Pipeline: the thread between ingest and the store.
//
// Sources push events into its hand-off queue (sink(), never blocking: see core/source.h).
// The pipeline thread pops them in groups (at most `max_events`, or `interval` after the first
// arrival), runs each group through the stages in order (core/stage.h), and commits what the
// stages kept or produced together with the state they handed over, as ONE Store transaction
// (pipeline/group_commit.h: a refused group is kept and retried, never dropped), with the
// events the stages refused going to the dead-letter table in the same transaction (so do
// events a source refused at its boundary, Event::refused, before any stage sees them). After every
// commit it wakes the uplink through `committed` (a WakeRelay, so a reload can swap the uplink
// safely). It also fires the stages' timers and sweeps the store's TTLs every `expire_every`,
// with or without an uplink: ages are measured on the monotonic clock (Store::Expire), so a
// step of the wall clock expires nothing early and nothing late. Events received while the
// wall clock is not synchronised (options.clock_sync) are marked Event::clock_unsynced.
//
// Backpressure: Govern() pauses the sources when the hand-off queue holds `memory_events`
// and resumes them once it is down to half.
//
// Metrics (in the registry given): edgeferry_events_committed_total{stream},
// edgeferry_handoff_events, edgeferry_ingest_paused, the stages' and GroupCommit's counters.
//
// Thread-safety: Start, Govern and Stop from one owner thread; sink() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/bounded_queue.h"
#include "core/clock.h"
#include "core/clock_watch.h"
#include "core/heartbeat.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/source.h"
#include "core/stage.h"
#include "core/store.h"
#include "core/wake.h"
#include "pipeline/group_commit.h"
#include "pipeline/stage_chain.h"

namespace ef::pipeline {

struct PipelineOptions {
  size_t max_events = 1000;                        // Default: 1000 events per group at most
  std::chrono::milliseconds interval{10};          // Default: 10 ms from receipt to commit
  size_t memory_events = 10000;                    // Default: 10000 events in the hand-off queue
  std::chrono::milliseconds expire_every{1000};    // Default: 1 s between TTL sweeps
  std::chrono::milliseconds shutdown_retry{5000};  // Default: 5 s for a failing group at stop
  // Whether the wall clock is synchronised: events received while it is not are marked
  // Event::clock_unsynced. Default: none, every clock is trusted. Must outlive the pipeline.
  const ClockSync* clock_sync = nullptr;
  // Beaten after every committed group and whenever there was nothing to commit, so it stops
  // while commits fail or block (see core/heartbeat.h). Default: none.
  Heartbeat* heartbeat = nullptr;
  // Beaten at every turn of the thread's loop and before every retry of a refused commit:
  // it stops only when the thread is stuck for good (blocked in I/O, deadlocked), which is
  // what systemd's watchdog must catch; a backpressure bound is not that. Default: none.
  Heartbeat* alive = nullptr;
};

class Pipeline {
 public:
  Pipeline(Store& store, const Clock& clock, Logger& log, MetricsRegistry& metrics,
           WakeRelay& committed, PipelineOptions options,
           std::vector<std::unique_ptr<Stage>> stages = {});
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Where sources push their events.
  EventSink& sink() { return sink_; }
  // Gives every stage its committed state back, then starts the thread. Fails (and starts
  // nothing) when a stage cannot restore its state.
  Status Start();
  // Pauses or resumes `sources` by the hand-off queue's fill level (with hysteresis).
  void Govern(std::span<Source* const> sources);
  // REQUIRES: the sources are stopped. Closes the hand-off queue, commits everything in it
  // (a failing store is given shutdown_retry), and joins the thread.
  void Stop();

 private:
  class Sink final : public EventSink {
   public:
    explicit Sink(BoundedQueue<Event>& queue) : queue_(queue) {}
    bool Push(Event event) override { return queue_.PushNoWait(std::move(event)); }

   private:
    BoundedQueue<Event>& queue_;
  };

  void Run();
  // Moves the events a source refused at the boundary (Event::refused) to `dead`.
  static void TakeRefused(std::vector<Event>& events, std::vector<DeadLetterEntry>& dead);
  // How long the thread may wait for input before a timer or a TTL sweep is due.
  Clock::Duration IdleWait(Clock::TimePoint now) const;
  void CommitGroup(std::vector<Event>& events, std::vector<StateEntry>& state,
                   const std::vector<DeadLetterEntry>& dead);
  void Beat(Clock::TimePoint now);
  void CountCommitted(const std::vector<Event>& events);
  bool WallSynced() const;
  void ExpireIfDue(Clock::TimePoint now);

  Store& store_;
  const Clock& clock_;
  Logger& log_;
  WakeRelay& committed_;
  const PipelineOptions options_;
  BoundedQueue<Event> queue_;
  Sink sink_{queue_};
  StageChain stages_;
  GroupCommit commit_;
  Gauge& handoff_events_;
  Gauge& ingest_paused_;
  bool paused_ = false;  // owner thread (Govern)
  std::thread thread_;

  // Owned by the pipeline thread.
  CounterByLabel committed_by_stream_;
  Clock::TimePoint next_expiry_{};
  uint64_t last_commit_seq_ = 0;  // the highest seq of the last commit, and when it was
  Clock::TimePoint last_commit_at_{};
  LogThrottle expiry_log_{std::chrono::seconds(60)};
};

}  // namespace ef::pipeline
