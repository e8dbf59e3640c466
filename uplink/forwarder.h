// Forwarder: the uplink thread. Reads committed events from the Store stream by stream, in
// sequence order, packs them into batches (one stream per batch; at most batch_max_events,
// max_message_bytes, waiting batch_linger_ms for a fuller batch when live), publishes each
// through a Publisher with at most `max_inflight` batches awaiting acknowledgement, and acks
// (deletes) the events in the Store only after the Publisher reported kOk.
//
// - Rate limits (publishes/s, bytes/s) are token buckets: they are never exceeded.
// - Scheduling: among streams with a backlog the highest priority goes first, except that a
//   stream that got less than its `min_share` of recent publishes is served before it.
// - Order within a stream: when a publish fails, that lane pauses until its in-flight
//   batches settled, then resends from its oldest unacknowledged event. The cloud may see
//   duplicates after a failure; they carry the same per-event `seq`. An `in_order` stream
//   has at most `in_order_inflight` batches in flight (1: the cloud stores it in seq order
//   also across failures).
// - Catch-up after an outage: at each (re)connect, a `live_first` stream with at least
//   batch_max_events waiting splits in two lanes at the highest committed seq: the catch-up
//   lane sends the backlog (seq <= boundary), the stream's own lane what arrives from now on.
//   Live lanes go before every catch-up lane (alerts, by priority, before both); min_share
//   still applies, so the backlog keeps draining. Each lane keeps seq order; the catch-up
//   lane retires when it reached the boundary. `in_order` streams never split. The lanes
//   (uplink/lanes.h) belong to the forwarder thread.
// - Never loops for ever: kDrop, an event larger than the message limit, or the same batch
//   failing `max_attempts` times in a row moves the events to the dead-letter table.
// - It sends what the store holds: expiring events (TTL) is the store's sweep, not its job.
// - A step of the wall clock never holds a batch back: a partial batch lingers until a
//   deadline on the monotonic clock, at most batch_linger away, once per oldest event; an
//   ingest time in the future (the clock was set back) counts as waited out.
// - Nothing stalls silently: a lane with events and a connected publisher that sends nothing
//   for longer than batch_linger + 2 s is a warning and a metric (uplink/stall_watch.h).
// - Every 10 s it records each stream's drain rate in the Store (Store::RecordDrainRates),
//   while a stream has a backlog or drains, and logs a backlog of more than 1,000 events.
//
// Thread-safety: Start/Stop from the owner; Wake(), PublishStatus() and counters() from any
// thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/heartbeat.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/publisher.h"
#include "core/store.h"
#include "uplink/batch_marks.h"
#include "uplink/drain_meter.h"
#include "uplink/duplicate_window.h"
#include "uplink/envelope.h"
#include "uplink/lanes.h"
#include "uplink/rate_limiter.h"
#include "uplink/scheduler.h"
#include "uplink/stall_watch.h"

namespace ef::uplink {

struct ForwarderOptions {
  std::string gateway_id;
  std::string topic_template = "edgeferry/{gateway}/{stream}/{device}";
  int qos = 1;                                     // Default: 1
  size_t max_inflight = 100;                       // Default: 100 batches
  size_t read_batch = 500;                         // Default: 500 events per store read
  std::chrono::milliseconds drain_timeout{5000};   // Default: 5 s
  BatchFormat batch = BatchFormat::kNone;          // Default: one event per publish
  size_t batch_max_events = 500;                   // Default: 500
  size_t max_message_bytes = 256 * 1024;           // Default: 256 KiB
  std::chrono::milliseconds batch_linger{20};      // Default: 20 ms
  bool compress_zstd = false;                      // Default: false
  double max_publishes_per_s = 0;                  // Default: 0 = unlimited
  double max_bytes_per_s = 0;                      // Default: 0 = unlimited
  int max_attempts = 5;                            // Default: 5
  std::vector<StreamSchedule> streams;             // configured streams
  StreamSchedule defaults;                         // streams nobody configured
  // Beaten when the cloud acknowledged a publish, when nothing awaits an acknowledgement and
  // while not connected (waiting for the cloud is not a stall), so it stops only while a
  // connection takes publishes and acknowledges none, or the thread itself is stuck.
  // Default: none.
  Heartbeat* heartbeat = nullptr;
  // Beaten at every turn of the thread's loop (at least every second): it stops only when the
  // thread is stuck for good, for systemd's watchdog. Default: none.
  Heartbeat* alive = nullptr;
  // Exactly-once into a deduplicating cloud (JetStream): every message carries an id that is
  // the same on every resend (OutgoingMessage::msg_id, uplink/batch_marks.h); batches are cut
  // along boundaries recorded in the store before their first send, and a live_first stream
  // never splits (a split would cut a recorded batch). Default: false.
  bool message_ids = false;
  // Messages of an `in_order` stream awaiting acknowledgement at once; 0 = no limit of its
  // own (max_inflight). With an asynchronous window a later message can be stored while an
  // earlier one failed and is resent; with 1 a stream's next message leaves only once the
  // previous one was acknowledged, so a resend never lands behind a later message (batches
  // keep such a stream fast). live_first streams always use the whole window. JetStream: 1.
  // Default: 0.
  size_t in_order_inflight = 0;
  // The cloud's duplicate window: every 10 s a warning when a queued event is older (its
  // resend can no longer be recognised as one). 0 = no such window. Default: 0.
  std::chrono::seconds duplicate_window{0};
  // Where PublishStatus() publishes (already expanded); "" = nowhere. Default: "".
  std::string status_topic;
};

// What the forwarders of one metrics registry did (a forwarder rebuilt at a reload adds to
// the same counters); read from the registry.
struct ForwarderCounters {
  uint64_t acked = 0;          // events the cloud acknowledged (and removed from the store)
  uint64_t publishes = 0;      // messages the cloud acknowledged
  uint64_t resent = 0;         // events published again after a failure
  uint64_t dead_lettered = 0;  // events moved to the dead-letter table
};

class Forwarder {
 public:
  // Counts in `metrics`: edgeferry_events_uplinked_total{stream},
  // edgeferry_uplink_publishes_total, edgeferry_uplink_resent_events_total,
  // edgeferry_uplink_dead_letters_total (events this uplink moved to the dead-letter table),
  // edgeferry_uplink_sent_bytes_total (payload bytes handed to the publisher, resends
  // included), edgeferry_uplink_connected (1 while connected), edgeferry_uplink_reconnects_total
  // (connections made again after one was lost, as the thread saw them: it looks at least
  // every second), and the histograms edgeferry_uplink_batch_events (events per acknowledged
  // message) and edgeferry_uplink_latency_seconds (per event, from its ingest time to the
  // cloud's acknowledgement, on the wall clock); and StallWatch's
  // edgeferry_uplink_stalls_total{stream} and edgeferry_uplink_stalled_lanes.
  Forwarder(Store& store, Publisher& publisher, const Clock& clock, Logger& log,
            MetricsRegistry& metrics, ForwarderOptions options);
  ~Forwarder();
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  void Start();
  // New events were committed.
  void Wake();
  // Publishes `payload` on options.status_topic (QoS 0, not kept in the store) as soon as the
  // connection and the rate limits allow; a newer payload replaces one still waiting.
  void PublishStatus(std::string payload);
  // Stops reading new events, waits up to drain_timeout for in-flight publishes, acks what
  // was acknowledged and joins. Unacknowledged events stay in the store for the next run.
  void Stop();
  ForwarderCounters counters() const;

 private:
  struct Completion {
    std::string lane;
    uint64_t batch_id;  // first seq of the batch
    PublishResult result;
  };
  void Run();
  void Complete(std::string lane, uint64_t batch_id, PublishResult result);
  void Settle();
  void NoteFailure(const std::string& stream, Lane& lane, uint64_t batch_id,
                   std::vector<uint64_t>& refused);
  // Publishes what the window and the rate limits allow; returns when to look again.
  Clock::Duration FillWindow();
  // The lane to serve next among those with something to send now, or nullptr; lowers
  // `*next` to when a lingering or resending lane wants another look.
  Lane* PickLane(Clock::TimePoint now, Clock::Duration* next);
  // Publishes lane.ready, which the window and the rate limits allowed.
  void Send(Lane& lane);
  // Fills lane.ready with the next batch. False when there is nothing to send now (the lane
  // is exhausted, or lingering for a fuller batch).
  bool BuildBatch(Lane& lane);
  // True when the lane should wait a little for a fuller batch (live and not full); sets
  // lane.linger_until (monotonic, at most batch_linger from now).
  bool Linger(Lane& lane);
  // Encodes the lane's backlog into one batch; dead-letters events too large for a message.
  OutgoingBatch Encode(Lane& lane);
  void DeadLetter(const std::string& stream, const std::vector<uint64_t>& seqs,
                  const std::string& reason);
  // Every 10 s: measures the drain rates, records them in the store (for `queue stats`) and
  // logs a backlog worth reporting.
  void ReportBacklogIfDue();
  // Tracks the publisher's connection (gauge, reconnects); true while connected.
  bool WatchConnection();
  void Beat();
  // Publishes the waiting status payload if the rate limits allow it now.
  void SendStatus(Clock::TimePoint now);
  // Removes and returns the ingest times of batch `batch_id` of `lane` (none if unknown).
  std::vector<int64_t> TakeIngestTimes(const std::string& lane, uint64_t batch_id);
  void ObserveLatency(const std::vector<int64_t>& ingest_ms);
  void LogBacklog(const std::vector<StreamBacklog>& backlog, double rate);
  // Gives lane.ready its message id and, for a batch, records its boundaries.
  void MarkBatch(Lane& lane);

  Store& store_;
  Publisher& publisher_;
  const Clock& clock_;
  Logger& log_;
  const ForwarderOptions options_;
  const TopicTemplate topic_;

  std::mutex mu_;  // guards the fields up to `thread_`
  std::condition_variable cv_;
  std::vector<Completion> completions_;
  bool woken_ = false;
  std::optional<std::string> status_payload_;
  bool stopping_ = false;
  std::thread thread_;

  MetricsRegistry& metrics_;
  Counter& publishes_;
  Counter& resent_;
  Counter& dead_lettered_;
  CounterByLabel uplinked_;  // forwarder thread
  Counter& sent_bytes_;
  Counter& reconnects_;
  Gauge& connected_;
  Histogram& batch_events_;
  Histogram& latency_;

  // Owned by the forwarder thread.
  Lanes lanes_;  // the streams' read positions and catch-up lanes
  bool was_connected_ = false;
  bool ever_connected_ = false;
  // Ingest times (ms) of the events of each batch in flight, by lane and batch id.
  std::map<std::string, std::map<uint64_t, std::vector<int64_t>>> ingest_ms_;
  ShareScheduler scheduler_;
  BatchEncoder encoder_;
  TokenBucket publish_bucket_;
  TokenBucket byte_bucket_;
  Clock::TimePoint next_backlog_report_{};
  Clock::TimePoint last_backlog_report_{};
  DrainMeter drain_;
  StallWatch stalls_;
  BatchMarks marks_;  // used only with message_ids and batches
  bool durable_batches_ = false;
  DuplicateWindowWatch window_watch_;
};

}  // namespace ef::uplink
