#include "uplink/forwarder.h"

#include <algorithm>

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
constexpr char kCatchUpSuffix[] = " (catch-up)";
}  // namespace

Forwarder::Forwarder(Store& store, Publisher& publisher, const Clock& clock, Logger& log,
                     ForwarderOptions options)
    : store_(store), publisher_(publisher), clock_(clock), log_(log),
      options_(std::move(options)), topic_(options_.topic_template),
      encoder_(options_.batch, options_.gateway_id, options_.max_message_bytes,
               options_.batch_max_events),
      publish_bucket_(options_.max_publishes_per_s),
      byte_bucket_(options_.max_bytes_per_s, static_cast<double>(options_.max_message_bytes)) {}

Forwarder::~Forwarder() { Stop(); }

void Forwarder::Start() { thread_ = std::thread([this] { Run(); }); }

void Forwarder::Wake() {
  std::lock_guard lock(mu_);
  woken_ = true;
  cv_.notify_one();
}

void Forwarder::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

ForwarderCounters Forwarder::counters() const {
  return {acked_.load(), publishes_.load(), resent_.load(), dead_lettered_.load()};
}

void Forwarder::Complete(std::string lane, uint64_t batch_id, PublishResult result) {
  std::lock_guard lock(mu_);
  completions_.push_back({std::move(lane), batch_id, result});
  cv_.notify_one();
}

const StreamSchedule& Forwarder::ScheduleFor(const std::string& stream) const {
  for (const StreamSchedule& s : options_.streams) {
    if (s.name == stream) return s;
  }
  return options_.defaults;
}

size_t Forwarder::InflightTotal() const {
  size_t n = 0;
  for (const auto& [name, lane] : lanes_) n += lane.inflight.size();
  return n;
}

void Forwarder::Run() {
  Clock::TimePoint drain_deadline{};
  DiscoverStreams();
  for (;;) {
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
      if (InflightTotal() == 0 || clock_.Now() >= drain_deadline) break;
      next = kIdlePoll;
    } else {
      if (woken) DiscoverStreams();
      ReportBacklogIfDue();
      next = FillWindow();
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, next, [&] { return woken_ || stopping_ || !completions_.empty(); });
  }
  Settle();
  if (const size_t left = InflightTotal(); left > 0) {
    log_.Warning(kComponent, std::to_string(left) +
                                 " batches unacknowledged at shutdown; they stay queued and "
                                 "are resent on the next start");
  }
}

void Forwarder::DiscoverStreams() {
  for (const StreamBacklog& backlog : store_.Backlog()) LaneFor(backlog.stream);
  for (auto& [name, lane] : lanes_) lane.exhausted = false;
}

Forwarder::Lane& Forwarder::LaneFor(const std::string& stream) {
  auto [it, added] = lanes_.try_emplace(stream);
  if (added) {
    it->second.schedule = ScheduleFor(stream);
    it->second.schedule.name = stream;
    it->second.stream = stream;
  }
  return it->second;
}

void Forwarder::ResendFrom(Lane& lane, uint64_t after_seq) {
  lane.cursor = after_seq;  // acked events are gone from the store: no skip
  lane.backlog.clear();
  lane.ready.reset();
  lane.resend_from = 0;
  lane.exhausted = false;
  lane.reached_end = false;
}

void Forwarder::SplitBacklogs() {
  std::optional<uint64_t> boundary;
  for (const StreamBacklog& waiting : store_.Backlog()) {
    if (waiting.events < std::max<size_t>(options_.batch_max_events, 1)) continue;
    Lane& live = LaneFor(waiting.stream);
    const std::string name = waiting.stream + kCatchUpSuffix;
    auto old = lanes_.find(name);
    if (!live.schedule.live_first || !live.inflight.empty()) continue;
    if (old != lanes_.end() && !old->second.inflight.empty()) continue;
    if (!boundary) {
      Result<StoreStats> stats = store_.Stats();
      if (!stats.ok()) return;  // no split: the stream drains in order
      boundary = stats->last_seq;
    }
    Lane& backlog = lanes_[name];
    backlog.schedule = live.schedule;
    backlog.schedule.name = name;
    backlog.schedule.catch_up = true;
    backlog.stream = waiting.stream;
    backlog.until_seq = *boundary;
    backlog.highest_sent = std::max(backlog.highest_sent, live.highest_sent);
    backlog.failures = 0;
    ResendFrom(backlog, 0);
    ResendFrom(live, *boundary);
    log_.Info(kComponent, "stream '" + waiting.stream + "': " + std::to_string(waiting.events) +
                              " events waiting; new events go first, the backlog up to seq " +
                              std::to_string(*boundary) + " after them");
  }
}

void Forwarder::RetireCaughtUpLanes() {
  std::erase_if(lanes_, [](const auto& entry) {
    const Lane& lane = entry.second;
    return lane.until_seq != 0 && lane.reached_end && lane.backlog.empty() && !lane.ready &&
           lane.inflight.empty() && lane.resend_from == 0;
  });
}

void Forwarder::Settle() {
  std::vector<Completion> done;
  {
    std::lock_guard lock(mu_);
    done.swap(completions_);
  }
  std::map<std::string, std::vector<uint64_t>> acked;
  for (Completion& c : done) {
    auto found = lanes_.find(c.lane);
    if (found == lanes_.end()) continue;
    Lane& lane = found->second;
    auto batch = lane.inflight.find(c.batch_id);
    if (batch == lane.inflight.end()) continue;
    std::vector<uint64_t> seqs = std::move(batch->second);
    lane.inflight.erase(batch);
    switch (c.result) {
      case PublishResult::kOk:
        if (lane.failing_batch == c.batch_id) lane.failures = 0;
        publishes_.fetch_add(1, std::memory_order_relaxed);
        acked[lane.stream].insert(acked[lane.stream].end(), seqs.begin(), seqs.end());
        break;
      case PublishResult::kNotSent:  // never reached the broker: not the message's fault
      case PublishResult::kRetry:
        if (lane.resend_from == 0 || c.batch_id < lane.resend_from) lane.resend_from = c.batch_id;
        if (c.result == PublishResult::kRetry) NoteFailure(lane.stream, lane, c.batch_id, seqs);
        break;
      case PublishResult::kDrop:
        DeadLetter(lane.stream, seqs, "the cloud broker refused the message");
        break;
    }
  }
  // A failed Ack only means the events are sent again later: duplicates, never a loss.
  for (const auto& [stream, seqs] : acked) {
    if (Status s = store_.Ack(stream, seqs); !s.ok()) {
      log_.Error(kComponent, "cannot remove acknowledged events: " + s.ToString());
    }
    acked_.fetch_add(seqs.size(), std::memory_order_relaxed);
    drain_.Acked(stream, seqs.size());
  }
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
  lane.failures = 0;
}

void Forwarder::DeadLetter(const std::string& stream, const std::vector<uint64_t>& seqs,
                           const std::string& reason) {
  Status s = store_.DeadLetter(stream, seqs, reason, clock_.WallMillis());
  dead_lettered_.fetch_add(seqs.size(), std::memory_order_relaxed);
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
  for (auto& [name, lane] : lanes_) {
    if (lane.resend_from != 0 && lane.inflight.empty()) ResendFrom(lane, lane.resend_from - 1);
  }
  RetireCaughtUpLanes();
  if (!publisher_.Connected()) {
    was_connected_ = false;
    return kIdlePoll;
  }
  if (!std::exchange(was_connected_, true)) SplitBacklogs();
  Clock::Duration next = kIdleWait;
  size_t inflight = InflightTotal();
  while (inflight < options_.max_inflight) {
    const Clock::TimePoint now = clock_.Now();
    std::vector<const StreamSchedule*> candidates;
    for (auto& [name, lane] : lanes_) {
      if (lane.resend_from != 0) next = std::min<Clock::Duration>(next, kIdlePoll);
      if (lane.resend_from != 0 || lane.exhausted) continue;
      if (lane.linger_until > now) {
        next = std::min(next, lane.linger_until - now);
        continue;
      }
      candidates.push_back(&lane.schedule);
    }
    const StreamSchedule* pick = scheduler_.Pick(candidates);
    if (pick == nullptr) return next;
    Lane& lane = lanes_[pick->name];
    if (!lane.ready && !BuildBatch(lane)) continue;  // exhausted or lingering now
    const double bytes = static_cast<double>(lane.ready->message.payload.size());
    const Clock::Duration wait = std::max(publish_bucket_.WaitFor(1, now),
                                          byte_bucket_.WaitFor(bytes, now));
    if (wait > Clock::Duration::zero()) return std::min(next, wait);
    publish_bucket_.Take(1);
    byte_bucket_.Take(bytes);
    Batch batch = std::move(*lane.ready);
    lane.ready.reset();
    const uint64_t id = batch.seqs.front();
    if (id <= lane.highest_sent) resent_.fetch_add(batch.seqs.size(), std::memory_order_relaxed);
    lane.highest_sent = std::max(lane.highest_sent, batch.seqs.back());
    lane.inflight.emplace(id, std::move(batch.seqs));
    scheduler_.Served(pick->name);
    ++inflight;
    publisher_.Publish(batch.message, [this, name = pick->name, id](PublishResult r) {
      Complete(name, id, r);
    });
  }
  return next;
}

// Fills lane.ready with the next batch. False when there is nothing to send now (the lane
// is exhausted, or lingering for a fuller batch).
bool Forwarder::BuildBatch(Lane& lane) {
  while (lane.backlog.size() < options_.batch_max_events && Refill(lane)) {
  }
  if (lane.backlog.empty()) {
    lane.exhausted = true;
    return false;
  }
  const int64_t now_ms = clock_.WallMillis();
  const int64_t oldest_ms = lane.backlog.front().ingest_time_ms;
  if (options_.batch != BatchFormat::kNone && lane.backlog.size() < options_.batch_max_events &&
      now_ms - oldest_ms < options_.batch_linger.count()) {
    // Live and not full: wait a little for a fuller batch (fewer, larger publishes).
    lane.linger_until = clock_.Now() + std::chrono::milliseconds(
                                           options_.batch_linger.count() - (now_ms - oldest_ms));
    return false;
  }
  encoder_.Start(lane.stream);
  Batch batch;
  Event topic_of;  // a batch's topic comes from its stream (and, for batch = none, device)
  topic_of.stream = lane.stream;
  std::vector<uint64_t> too_large;
  while (!lane.backlog.empty()) {
    const Event& event = lane.backlog.front();
    const BatchEncoder::AddResult added = encoder_.Add(event);
    if (added == BatchEncoder::AddResult::kFull) break;
    if (added == BatchEncoder::AddResult::kTooLarge) {
      too_large.push_back(event.seq);
    } else {
      if (batch.seqs.empty()) topic_of.device_id = event.device_id;
      batch.seqs.push_back(event.seq);
    }
    lane.backlog.pop_front();
  }
  if (!too_large.empty()) {
    DeadLetter(lane.stream, too_large,
               "larger than max_message_bytes (" + std::to_string(options_.max_message_bytes) +
                   ")");
  }
  if (batch.seqs.empty()) return false;
  batch.message.payload = encoder_.Finish();
  batch.message.qos = options_.qos;
  batch.message.topic = topic_.Expand(options_.gateway_id, topic_of);
  if (options_.compress_zstd) {
    Result<std::string> packed = ZstdCompress(batch.message.payload);
    if (packed.ok()) {
      batch.message.payload = std::move(packed.value());
      batch.message.topic += "/zstd";
    }
  }
  lane.ready = std::move(batch);
  return true;
}

bool Forwarder::Refill(Lane& lane) {
  if (lane.reached_end) return false;
  std::vector<Event> events;
  if (Status s = store_.ReadAfter(lane.stream, lane.cursor, options_.read_batch, &events);
      !s.ok()) {
    uint64_t suppressed = 0;
    if (problem_log_.Allow(clock_.Now(), &suppressed)) {
      log_.Error(kComponent, "cannot read the queue: " + s.ToString());
    }
    return false;
  }
  if (lane.until_seq != 0) {  // a catch-up lane stops at its boundary: the rest is live
    auto beyond = std::find_if(events.begin(), events.end(),
                               [&](const Event& e) { return e.seq > lane.until_seq; });
    lane.reached_end = beyond != events.end() || events.empty();
    events.erase(beyond, events.end());
  }
  if (events.empty()) return false;
  lane.cursor = events.back().seq;
  for (Event& e : events) lane.backlog.push_back(std::move(e));
  return true;
}

}  // namespace ef::uplink
