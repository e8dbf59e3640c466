// Lanes: the forwarder's read positions in the Store. Each stream has a lane (keyed by the
// stream's name); after a (re)connect, a `live_first` stream with a big backlog also has a
// catch-up lane ("<stream> (catch-up)") that reads the backlog up to the highest seq committed
// at that moment, while the stream's own lane reads what arrives after it. A catch-up lane is
// retired once it read, sent and settled everything up to its boundary.
//
// A lane reads its stream in seq order (Refill), keeps what it read but did not yet put in a
// batch (`backlog`), the batch waiting for the rate limit (`ready`) and the batches awaiting
// acknowledgement (`inflight`). After a failure, ResendFrom() moves the lane back to its oldest
// unacknowledged event: acked events are gone from the store, so reading again after that seq
// resends exactly what is not acknowledged.
//
// Ownership and threads: the Forwarder owns one Lanes object and only its thread touches it
// (not thread-safe). Lanes reads the Store (Backlog, Stats, ReadAfter) but never writes it:
// acks and dead letters are the forwarder's. A Lane& stays valid until RetireCaughtUp(), which
// may remove catch-up lanes.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/log.h"
#include "core/publisher.h"
#include "core/store.h"
#include "uplink/scheduler.h"

namespace ef::uplink {

// A batch built from a lane: the events' seqs and the message that carries them.
struct OutgoingBatch {
  std::vector<uint64_t> seqs;
  std::vector<int64_t> ingest_ms;  // the events' ingest times, for the latency histogram
  OutgoingMessage message;
};

// A stream's position (or that of its catch-up part).
struct Lane {
  StreamSchedule schedule;    // schedule.name: the lane's key
  std::string stream;         // the store's stream
  uint64_t until_seq = 0;     // catch-up lanes end here; 0 = open-ended
  bool reached_end = false;   // a catch-up lane read everything up to until_seq
  uint64_t cursor = 0;        // highest seq read from the store
  std::deque<Event> backlog;  // read, not yet in a batch
  std::optional<OutgoingBatch> ready;  // built, waiting for the rate limit
  std::map<uint64_t, std::vector<uint64_t>> inflight;  // batch id (first seq) -> seqs
  uint64_t resend_from = 0;   // oldest seq to resend; 0 = none
  uint64_t highest_sent = 0;
  uint64_t failing_batch = 0;  // batch id that failed last, and how often in a row
  int failures = 0;
  bool exhausted = false;     // the store had nothing more at the last read
  Clock::TimePoint linger_until{};  // a partial batch waits for more until then (monotonic)
  uint64_t lingered_for = 0;        // the oldest event of the last partial batch that waited
  uint64_t progress = 0;      // publishes and acknowledgements so far (for StallWatch)
};

struct LanesOptions {
  std::vector<StreamSchedule> streams;  // configured streams
  StreamSchedule defaults;              // streams nobody configured
  size_t read_batch = 500;              // Default: 500 events per store read
  size_t split_at = 500;                // Default: 500 events waiting split a live_first stream
};

class Lanes {
 public:
  using Map = std::map<std::string, Lane>;

  Lanes(Store& store, const Clock& clock, Logger& log, LanesOptions options);

  // The lane of `stream`, created with its schedule when it has none yet.
  Lane& For(const std::string& stream);
  // The lane named `name` (a stream's or a catch-up lane), or nullptr.
  Lane* Find(const std::string& name);
  // Creates a lane for every stream with events in the store, and lets every lane read again.
  void Discover();
  // At a (re)connect: splits big backlogs of live_first streams into a catch-up lane. Lanes
  // with batches in flight are left alone; a failed Stats() splits nothing.
  void SplitBacklogs();
  // Moves every lane that failed and has nothing in flight back to its oldest unacked event.
  void RewindFailed();
  // Removes the catch-up lanes that sent and settled everything up to their boundary.
  void RetireCaughtUp();
  // Reads the next events of `lane` into its backlog. False when nothing was read (the end
  // of the stream or of a catch-up lane, or a read error, which is logged, throttled).
  bool Refill(Lane& lane);
  // Batches awaiting acknowledgement, over all lanes.
  size_t InflightTotal() const;

  Map::iterator begin() { return lanes_.begin(); }
  Map::iterator end() { return lanes_.end(); }

 private:
  const StreamSchedule& ScheduleFor(const std::string& stream) const;
  // Forgets what the lane read after `after_seq`, to read (and send) it again.
  static void ResendFrom(Lane& lane, uint64_t after_seq);

  Store& store_;
  const Clock& clock_;
  Logger& log_;
  const LanesOptions options_;
  Map lanes_;  // by lane name: the stream's, or its catch-up lane
  LogThrottle problem_log_{std::chrono::seconds(10)};
};

}  // namespace ef::uplink
