#include "uplink/forwarder.h"

#include <algorithm>
#include <limits>
#include <map>

#include "uplink/compress.h"

namespace ef::uplink {
namespace {
constexpr char kComponent[] = "uplink";
// How often the thread looks again when nothing will wake it (publisher down, a stream
// settling before a resend).
constexpr std::chrono::milliseconds kIdlePoll{50};
// How long the thread waits when nothing is due: Wake(), a completion or Stop() end it early.
constexpr std::chrono::milliseconds kIdleWait{1000};
constexpr std::chrono::seconds kBacklogReportEvery{10};
constexpr uint64_t kBacklogWorthReporting = 1000;
// A lane sending nothing for longer than its linger plus this, while connected, is stalled.
constexpr std::chrono::seconds kStallMargin{2};
// From a live event on loopback (milliseconds) to a backlog sent after a day-long outage.
const std::vector<double> kLatencyBounds = {0.005, 0.01, 0.025, 0.05, 0.1,  0.25,  0.5,  1,
                                            2.5,   5,    10,    30,   60,   300,   1800, 3600,
                                            21600, 86400};
const std::vector<double> kBatchBounds = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};

bool DurableBatches(const ForwarderOptions& options) {
  return options.message_ids && options.batch != BatchFormat::kNone;
}

// An in_order lane with in_order_inflight batches awaiting their ack waits for one of them.
bool InOrderWindowFull(const Lane& lane, size_t in_order_inflight) {
  return !lane.schedule.live_first && in_order_inflight != 0 &&
         lane.inflight.size() >= in_order_inflight;
}

LanesOptions LanesOptionsFor(const ForwarderOptions& options) {
  // A catch-up split would cut through recorded batches: with durable batches, never split.
  const size_t split_at = DurableBatches(options) ? std::numeric_limits<size_t>::max()
                                                  : std::max<size_t>(options.batch_max_events, 1);
  return {options.streams, options.defaults, options.read_batch, split_at};
}
}  // namespace

Forwarder::Forwarder(Store& store, Publisher& publisher, const Clock& clock, Logger& log,
                     MetricsRegistry& metrics, ForwarderOptions options)
    : store_(store), publisher_(publisher), clock_(clock), log_(log),
      options_(std::move(options)), topic_(options_.topic_template), metrics_(metrics),
      publishes_(metrics.GetCounter("edgeferry_uplink_publishes_total",
                                    "Messages the cloud acknowledged.")),
      resent_(metrics.GetCounter("edgeferry_uplink_resent_events_total",
                                 "Events published again after a failed publish.")),
      dead_lettered_(metrics.GetCounter("edgeferry_uplink_dead_letters_total",
                                        "Events the uplink moved to the dead-letter table.")),
      uplinked_(metrics, "edgeferry_events_uplinked_total",
                "Events the cloud acknowledged (and the queue removed).", "stream"),
      sent_bytes_(metrics.GetCounter("edgeferry_uplink_sent_bytes_total",
                                     "Payload bytes handed to the cloud connection (resends "
                                     "included).")),
      reconnects_(metrics.GetCounter("edgeferry_uplink_reconnects_total",
                                     "Connections to the cloud made again after one was lost.")),
      connected_(metrics.GetGauge("edgeferry_uplink_connected",
                                  "1 while the uplink is connected to the cloud broker.")),
      batch_events_(metrics.GetHistogram("edgeferry_uplink_batch_events",
                                         "Events per message the cloud acknowledged.",
                                         kBatchBounds)),
      latency_(metrics.GetHistogram("edgeferry_uplink_latency_seconds",
                                    "Per event, from its ingest to the cloud's acknowledgement.",
                                    kLatencyBounds)),
      lanes_(store_, clock_, log_, LanesOptionsFor(options_)),
      encoder_(options_.batch, options_.gateway_id, options_.max_message_bytes,
               options_.batch_max_events),
      publish_bucket_(options_.max_publishes_per_s),
      byte_bucket_(options_.max_bytes_per_s, static_cast<double>(options_.max_message_bytes)),
      stalls_(options_.batch_linger + kStallMargin, log, metrics), marks_(store, log),
      durable_batches_(DurableBatches(options_)),
      window_watch_(options_.duplicate_window, log) {}

Forwarder::~Forwarder() { Stop(); }

void Forwarder::Start() {
  Beat();
  thread_ = std::thread([this] { Run(); });
}

void Forwarder::Wake() {
  std::lock_guard lock(mu_);
  woken_ = true;
  cv_.notify_one();
}

void Forwarder::PublishStatus(std::string payload) {
  std::lock_guard lock(mu_);
  if (options_.status_topic.empty()) return;
  status_payload_ = std::move(payload);
  woken_ = true;
  cv_.notify_one();
}

void Forwarder::SendStatus(Clock::TimePoint now) {
  OutgoingMessage message;
  {
    std::lock_guard lock(mu_);
    if (!status_payload_) return;
    message.payload = *status_payload_;
  }
  // Within the cloud's limits like every other publish.
  const double bytes = static_cast<double>(message.payload.size());
  if (publish_bucket_.WaitFor(1, now) > Clock::Duration::zero() ||
      byte_bucket_.WaitFor(bytes, now) > Clock::Duration::zero()) {
    return;
  }
  publish_bucket_.Take(1);
  byte_bucket_.Take(bytes);
  {
    std::lock_guard lock(mu_);
    status_payload_.reset();
  }
  message.topic = options_.status_topic;
  message.qos = 0;
  sent_bytes_.Add(message.payload.size());
  publisher_.Publish(message, [](PublishResult) {});
}

void Forwarder::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  connected_.Set(0);  // this uplink is gone; a new one reports its own connection
}

ForwarderCounters Forwarder::counters() const {
  return {metrics_.CounterTotal("edgeferry_events_uplinked_total"), publishes_.value(),
          resent_.value(), dead_lettered_.value()};
}

void Forwarder::Complete(std::string lane, uint64_t batch_id, PublishResult result) {
  std::lock_guard lock(mu_);
  completions_.push_back({std::move(lane), batch_id, result});
  cv_.notify_one();
}

void Forwarder::Run() {
  Clock::TimePoint drain_deadline{};
  if (durable_batches_) marks_.Load();
  lanes_.Discover();
  for (;;) {
    if (options_.alive != nullptr) options_.alive->Beat(clock_.Now());
    Settle();
    bool stopping, woken;
    {
      std::lock_guard lock(mu_);
      stopping = stopping_;
      woken = std::exchange(woken_, false);
    }
    Clock::Duration next = kIdleWait;
    if (stopping) {
      if (drain_deadline == Clock::TimePoint{}) drain_deadline = clock_.Now() + options_.drain_timeout;
      if (lanes_.InflightTotal() == 0 || clock_.Now() >= drain_deadline) break;
      next = kIdlePoll;
    } else {
      if (woken) lanes_.Discover();
      ReportBacklogIfDue();
      next = FillWindow();
      stalls_.Look(lanes_, publisher_.Connected(), clock_.Now());
      if (!publisher_.Connected() || lanes_.InflightTotal() == 0) Beat();
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, next, [&] { return woken_ || stopping_ || !completions_.empty(); });
  }
  Settle();
  if (const size_t left = lanes_.InflightTotal(); left > 0) {
    log_.Warning(kComponent, std::to_string(left) +
                                 " batches unacknowledged at shutdown; they stay queued and "
                                 "are resent on the next start");
  }
}

void Forwarder::Settle() {
  std::vector<Completion> done;
  {
    std::lock_guard lock(mu_);
    done.swap(completions_);
  }
  std::map<std::string, std::vector<uint64_t>> acked;
  for (Completion& c : done) {
    const std::vector<int64_t> ingest_ms = TakeIngestTimes(c.lane, c.batch_id);
    Lane* found = lanes_.Find(c.lane);
    if (found == nullptr) continue;
    Lane& lane = *found;
    auto batch = lane.inflight.find(c.batch_id);
    if (batch == lane.inflight.end()) continue;
    std::vector<uint64_t> seqs = std::move(batch->second);
    lane.inflight.erase(batch);
    switch (c.result) {
      case PublishResult::kOk:
        if (lane.failing_batch == c.batch_id) lane.failures = 0;
        ++lane.progress;
        publishes_.Add();
        batch_events_.Observe(static_cast<double>(seqs.size()));
        ObserveLatency(ingest_ms);
        acked[lane.stream].insert(acked[lane.stream].end(), seqs.begin(), seqs.end());
        if (durable_batches_) marks_.Forget(lane.stream, c.batch_id);
        break;
      case PublishResult::kNotSent:  // never reached the broker: not the message's fault
      case PublishResult::kRetry:
        if (lane.resend_from == 0 || c.batch_id < lane.resend_from) lane.resend_from = c.batch_id;
        if (c.result == PublishResult::kRetry) NoteFailure(lane.stream, lane, c.batch_id, seqs);
        break;
      case PublishResult::kDrop:
        DeadLetter(lane.stream, seqs, "the cloud broker refused the message");
        if (durable_batches_) marks_.Forget(lane.stream, c.batch_id);
        break;
    }
  }
  // A failed Ack only means the events are sent again later: duplicates, never a loss.
  for (const auto& [stream, seqs] : acked) {
    if (Status s = store_.Ack(stream, seqs); !s.ok()) {
      log_.Error(kComponent, "cannot remove acknowledged events: " + s.ToString());
    }
    uplinked_.For(stream).Add(seqs.size());
    drain_.Acked(stream, seqs.size());
  }
  if (!acked.empty()) Beat();
}

std::vector<int64_t> Forwarder::TakeIngestTimes(const std::string& lane, uint64_t batch_id) {
  std::vector<int64_t> out;
  const auto in_lane = ingest_ms_.find(lane);
  if (in_lane == ingest_ms_.end()) return out;
  const auto batch = in_lane->second.find(batch_id);
  if (batch == in_lane->second.end()) return out;
  out = std::move(batch->second);
  in_lane->second.erase(batch);
  if (in_lane->second.empty()) ingest_ms_.erase(in_lane);
  return out;
}

void Forwarder::ObserveLatency(const std::vector<int64_t>& ingest_ms) {
  const int64_t now_ms = clock_.WallMillis();
  for (const int64_t ingest : ingest_ms) {
    latency_.Observe(static_cast<double>(std::max<int64_t>(0, now_ms - ingest)) / 1000.0);
  }
}

void Forwarder::Beat() {
  if (options_.heartbeat != nullptr) options_.heartbeat->Beat(clock_.Now());
}

bool Forwarder::WatchConnection() {
  const bool connected = publisher_.Connected();
  connected_.Set(connected ? 1 : 0);
  if (!connected) {
    was_connected_ = false;
    return false;
  }
  if (!std::exchange(was_connected_, true)) {
    if (std::exchange(ever_connected_, true)) reconnects_.Add();
    lanes_.SplitBacklogs();
  }
  return true;
}

// A batch that was sent and lost its connection max_attempts times in a row is refused by the
// broker (too large for it, not authorised: MQTT 3.1.1 brokers close the connection): it goes
// to the dead-letter table. Publishes that never left (kNotSent, during an outage) do not count.
void Forwarder::NoteFailure(const std::string& stream, Lane& lane, uint64_t batch_id,
                            std::vector<uint64_t>& seqs) {
  if (batch_id != lane.resend_from) return;  // only the oldest failure of the stream counts
  lane.failures = lane.failing_batch == batch_id ? lane.failures + 1 : 1;
  lane.failing_batch = batch_id;
  if (lane.failures < options_.max_attempts) return;
  DeadLetter(stream, seqs, "not acknowledged after " + std::to_string(lane.failures) +
                               " attempts (refused by the broker: too large, not authorised?)");
  if (durable_batches_) marks_.Forget(stream, batch_id);
  lane.failures = 0;
}

void Forwarder::DeadLetter(const std::string& stream, const std::vector<uint64_t>& seqs,
                           const std::string& reason) {
  Status s = store_.DeadLetter(stream, seqs, reason, clock_.WallMillis());
  dead_lettered_.Add(seqs.size());
  log_.Error(kComponent, std::to_string(seqs.size()) + " event(s) of stream '" + stream +
                             "' moved to the dead-letter table: " + reason +
                             (s.ok() ? "" : " (FAILED: " + s.ToString() + ")"));
}

void Forwarder::ReportBacklogIfDue() {
  const Clock::TimePoint now = clock_.Now();
  if (now < next_backlog_report_) return;
  next_backlog_report_ = now + kBacklogReportEvery;
  // The first report only starts the first interval: no rate is known yet.
  const Clock::Duration elapsed =
      last_backlog_report_ == Clock::TimePoint{} ? Clock::Duration::zero()
                                                 : now - last_backlog_report_;
  last_backlog_report_ = now;
  const std::vector<StreamBacklog> backlog = store_.Backlog();
  const std::vector<StreamRate> rates = drain_.Measure(backlog, elapsed);
  if (Status s = store_.RecordDrainRates(rates, clock_.WallMillis()); !s.ok()) {
    log_.Warning(kComponent, "cannot record the drain rate for queue stats: " + s.ToString());
  }
  LogBacklog(backlog, TotalRate(rates));
  window_watch_.Look(store_, clock_);
}

void Forwarder::MarkBatch(Lane& lane) {
  OutgoingBatch& batch = *lane.ready;
  const uint64_t first = batch.seqs.front(), last = batch.seqs.back();
  batch.message.msg_id = MessageId(options_.gateway_id, first, last, durable_batches_);
  if (!durable_batches_) return;
  if (Status s = marks_.Record(lane.stream, first, last); !s.ok()) {
    // Sent anyway: after a restart this batch may be cut otherwise and its events stored
    // twice; waiting would stall the uplink on a store problem the pipeline reports too.
    log_.Error(kComponent, "cannot record a batch's boundaries: " + s.ToString());
  }
}

void Forwarder::LogBacklog(const std::vector<StreamBacklog>& backlog, double rate) {
  uint64_t waiting = 0;
  std::string per_stream;
  for (const StreamBacklog& b : backlog) {
    waiting += b.events;
    per_stream += (per_stream.empty() ? "" : ", ") + b.stream + " " + std::to_string(b.events);
  }
  if (waiting < kBacklogWorthReporting) return;
  std::string eta = rate > 0 ? std::to_string(static_cast<uint64_t>(waiting / rate)) + " s"
                             : "unknown (not draining)";
  log_.Info(kComponent, "backlog " + std::to_string(waiting) + " events (" + per_stream +
                            "), draining at " + std::to_string(static_cast<uint64_t>(rate)) +
                            " events/s, estimated time to drain " + eta);
}

Clock::Duration Forwarder::FillWindow() {
  lanes_.RewindFailed();
  lanes_.RetireCaughtUp();
  if (!WatchConnection()) return kIdlePoll;
  SendStatus(clock_.Now());
  Clock::Duration next = kIdleWait;
  size_t inflight = lanes_.InflightTotal();
  while (inflight < options_.max_inflight) {
    const Clock::TimePoint now = clock_.Now();
    Lane* lane = PickLane(now, &next);
    if (lane == nullptr) return next;
    if (!lane->ready && !BuildBatch(*lane)) continue;  // exhausted or lingering now
    const double bytes = static_cast<double>(lane->ready->message.payload.size());
    const Clock::Duration wait = std::max(publish_bucket_.WaitFor(1, now),
                                          byte_bucket_.WaitFor(bytes, now));
    if (wait > Clock::Duration::zero()) return std::min(next, wait);
    publish_bucket_.Take(1);
    byte_bucket_.Take(bytes);
    Send(*lane);
    ++inflight;
  }
  return next;
}

Lane* Forwarder::PickLane(Clock::TimePoint now, Clock::Duration* next) {
  std::vector<const StreamSchedule*> candidates;
  for (auto& [name, lane] : lanes_) {
    if (lane.resend_from != 0) *next = std::min<Clock::Duration>(*next, kIdlePoll);
    if (lane.resend_from != 0 || lane.exhausted) continue;
    if (InOrderWindowFull(lane, options_.in_order_inflight)) continue;  // its ack wakes us
    if (lane.linger_until > now) {
      *next = std::min(*next, lane.linger_until - now);
      continue;
    }
    candidates.push_back(&lane.schedule);
  }
  const StreamSchedule* pick = scheduler_.Pick(candidates);
  return pick == nullptr ? nullptr : lanes_.Find(pick->name);
}

void Forwarder::Send(Lane& lane) {
  OutgoingBatch batch = std::move(*lane.ready);
  lane.ready.reset();
  const uint64_t id = batch.seqs.front();
  if (id <= lane.highest_sent) resent_.Add(batch.seqs.size());
  lane.highest_sent = std::max(lane.highest_sent, batch.seqs.back());
  lane.inflight.emplace(id, std::move(batch.seqs));
  ++lane.progress;
  ingest_ms_[lane.schedule.name][id] = std::move(batch.ingest_ms);
  sent_bytes_.Add(batch.message.payload.size());
  scheduler_.Served(lane.schedule.name);
  publisher_.Publish(batch.message, [this, name = lane.schedule.name, id](PublishResult r) {
    Complete(name, id, r);
  });
}

bool Forwarder::BuildBatch(Lane& lane) {
  while (lane.backlog.size() < options_.batch_max_events && lanes_.Refill(lane)) {
  }
  if (lane.backlog.empty()) {
    lane.exhausted = true;
    return false;
  }
  const bool resend = durable_batches_ && marks_.Holds(lane.stream, lane.backlog.front().seq);
  if (!resend && Linger(lane)) return false;
  OutgoingBatch batch = Encode(lane);
  if (batch.seqs.empty()) return false;
  if (options_.compress_zstd) {
    Result<std::string> packed = ZstdCompress(batch.message.payload);
    if (packed.ok()) {
      batch.message.payload = std::move(packed.value());
      batch.message.topic += "/zstd";
    }
  }
  lane.ready = std::move(batch);
  if (options_.message_ids) MarkBatch(lane);
  return true;
}

bool Forwarder::Linger(Lane& lane) {
  const Event& oldest = lane.backlog.front();
  const int64_t linger_ms = options_.batch_linger.count();
  // How long the oldest event has waited, by its (wall-clock) ingest time. An ingest time in
  // the future means the clock was set back since: that counts as waited out, as does
  // anything past the linger. The deadline is on the monotonic clock, at most batch_linger
  // away, and each event lingers once: a step of the wall clock can end a linger early but
  // never make a batch wait longer.
  const int64_t waited_ms = clock_.WallMillis() - oldest.ingest_time_ms;
  if (options_.batch == BatchFormat::kNone || lane.backlog.size() >= options_.batch_max_events ||
      waited_ms < 0 || waited_ms >= linger_ms || oldest.seq == lane.lingered_for) {
    return false;
  }
  // Live and not full: wait a little for a fuller batch (fewer, larger publishes).
  lane.lingered_for = oldest.seq;
  lane.linger_until = clock_.Now() + std::chrono::milliseconds(linger_ms - waited_ms);
  return true;
}

OutgoingBatch Forwarder::Encode(Lane& lane) {
  encoder_.Start(lane.stream);
  OutgoingBatch batch;
  Event topic_of;  // a batch's topic comes from its stream (and, for batch = none, device)
  topic_of.stream = lane.stream;
  std::vector<uint64_t> too_large;
  const uint64_t limit = durable_batches_ && !lane.backlog.empty()
                             ? marks_.CutLimit(lane.stream, lane.backlog.front().seq)
                             : BatchMarks::kNoLimit;
  while (!lane.backlog.empty()) {
    const Event& event = lane.backlog.front();
    if (event.seq > limit) break;  // a recorded batch ends here
    const BatchEncoder::AddResult added = encoder_.Add(event);
    if (added == BatchEncoder::AddResult::kFull) break;
    if (added == BatchEncoder::AddResult::kTooLarge) {
      too_large.push_back(event.seq);
    } else {
      if (batch.seqs.empty()) topic_of.device_id = event.device_id;
      batch.seqs.push_back(event.seq);
      batch.ingest_ms.push_back(event.ingest_time_ms);
    }
    lane.backlog.pop_front();
  }
  if (!too_large.empty()) {
    DeadLetter(lane.stream, too_large,
               "larger than max_message_bytes (" + std::to_string(options_.max_message_bytes) +
                   ")");
  }
  if (batch.seqs.empty()) return batch;
  batch.message.payload = encoder_.Finish();
  batch.message.qos = options_.qos;
  batch.message.topic = topic_.Expand(options_.gateway_id, topic_of);
  return batch;
}

}  // namespace ef::uplink
