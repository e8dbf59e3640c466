#include "uplink/forwarder.h"

#include <algorithm>

namespace ef::uplink {
namespace {
constexpr char kComponent[] = "uplink";
// How often the thread looks again when nothing will wake it (publisher down, a stream
// settling before a resend).
constexpr std::chrono::milliseconds kIdlePoll{50};
// Each publish multiplies every lane's `served` by this: shares are over ~the last 200.
constexpr double kShareDecay = 0.995;
}  // namespace

Forwarder::Forwarder(Store& store, Publisher& publisher, const Clock& clock, Logger& log,
                     ForwarderOptions options)
    : store_(store), publisher_(publisher), clock_(clock), log_(log),
      options_(std::move(options)), topic_(options_.topic_template) {}

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
  return {acked_.load(), resent_.load(), dead_lettered_.load(), expired_.load()};
}

void Forwarder::Complete(std::string stream, uint64_t seq, PublishResult result) {
  std::lock_guard lock(mu_);
  completions_.push_back({std::move(stream), seq, result});
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
    if (stopping) {
      if (drain_deadline == Clock::TimePoint{}) drain_deadline = clock_.Now() + options_.drain_timeout;
      if (InflightTotal() == 0 || clock_.Now() >= drain_deadline) break;
    } else {
      if (woken) DiscoverStreams();
      ExpireIfDue();
      FillWindow();
    }
    std::unique_lock lock(mu_);
    bool busy = false;  // something can progress without a notification
    for (const auto& [name, lane] : lanes_) busy = busy || lane.resend_from != 0;
    busy = busy || !publisher_.Connected();
    cv_.wait_for(lock, busy ? kIdlePoll : options_.expire_every,
                 [&] { return woken_ || stopping_ || !completions_.empty(); });
  }
  Settle();
  if (const size_t left = InflightTotal(); left > 0) {
    log_.Warning(kComponent, std::to_string(left) +
                                 " publishes unacknowledged at shutdown; they stay queued and "
                                 "are resent on the next start");
  }
}

void Forwarder::DiscoverStreams() {
  for (const StreamBacklog& backlog : store_.Backlog()) {
    auto [it, added] = lanes_.try_emplace(backlog.stream);
    if (added) {
      it->second.schedule = ScheduleFor(backlog.stream);
      it->second.schedule.name = backlog.stream;
    }
  }
  for (auto& [name, lane] : lanes_) lane.exhausted = false;
}

void Forwarder::Settle() {
  std::vector<Completion> done;
  {
    std::lock_guard lock(mu_);
    done.swap(completions_);
  }
  std::map<std::string, std::vector<uint64_t>> acked, refused;
  for (Completion& c : done) {
    Lane& lane = lanes_[c.stream];
    lane.inflight.erase(c.seq);
    switch (c.result) {
      case PublishResult::kRetry:
        if (lane.resend_from == 0 || c.seq < lane.resend_from) lane.resend_from = c.seq;
        break;
      case PublishResult::kOk: acked[c.stream].push_back(c.seq); break;
      case PublishResult::kDrop: refused[c.stream].push_back(c.seq); break;
    }
  }
  // A failed Ack only means the event is sent again later: a duplicate, never a loss.
  for (const auto& [stream, seqs] : acked) {
    if (Status s = store_.Ack(stream, seqs); !s.ok()) {
      log_.Error(kComponent, "cannot remove acknowledged events: " + s.ToString());
    }
    acked_.fetch_add(seqs.size(), std::memory_order_relaxed);
  }
  for (const auto& [stream, seqs] : refused) {
    Status s = store_.DeadLetter(stream, seqs, "the cloud broker refused the message",
                                 clock_.WallMillis());
    dead_lettered_.fetch_add(seqs.size(), std::memory_order_relaxed);
    log_.Error(kComponent, std::to_string(seqs.size()) + " event(s) of stream '" + stream +
                               "' refused permanently; moved to the dead-letter table" +
                               (s.ok() ? "" : " FAILED: " + s.ToString()));
  }
}

void Forwarder::ExpireIfDue() {
  if (clock_.Now() < next_expiry_) return;
  next_expiry_ = clock_.Now() + options_.expire_every;
  Result<uint64_t> expired = store_.Expire(clock_.WallMillis());
  if (expired.ok() && *expired > 0) {
    expired_.fetch_add(*expired, std::memory_order_relaxed);
    log_.Warning(kComponent, std::to_string(*expired) + " events expired (older than their "
                                                        "stream's ttl) before they could be sent");
  }
}

Forwarder::Lane* Forwarder::PickLane() {
  Lane* best = nullptr;
  Lane* starved = nullptr;
  double total = 0;
  for (auto& [name, lane] : lanes_) {
    if (lane.resend_from == 0 && !lane.exhausted) total += lane.served;
  }
  double worst_deficit = 0;
  for (auto& [name, lane] : lanes_) {
    if (lane.resend_from != 0 || lane.exhausted) continue;
    const double deficit = lane.schedule.min_share - (total > 0 ? lane.served / total : 1.0);
    if (deficit > worst_deficit) {
      worst_deficit = deficit;
      starved = &lane;
    }
    if (best == nullptr || lane.schedule.priority > best->schedule.priority) best = &lane;
  }
  return starved != nullptr ? starved : best;
}

void Forwarder::FillWindow() {
  for (auto& [name, lane] : lanes_) {
    if (lane.resend_from != 0 && lane.inflight.empty()) {
      lane.cursor = lane.resend_from - 1;  // acked events are gone from the store: no skip
      lane.backlog.clear();
      lane.resend_from = 0;
      lane.exhausted = false;
    }
  }
  if (!publisher_.Connected()) return;
  size_t inflight = InflightTotal();
  while (inflight < options_.max_inflight) {
    Lane* lane = PickLane();
    if (lane == nullptr) return;
    if (lane->backlog.empty() && !Refill(*lane)) {
      lane->exhausted = true;
      continue;
    }
    Event event = std::move(lane->backlog.front());
    lane->backlog.pop_front();
    const int64_t ttl = lane->schedule.ttl_ms;
    if (ttl > 0 && event.ingest_time_ms + ttl < clock_.WallMillis()) {
      continue;  // too old to send; the next TTL sweep removes and counts it
    }
    PublishOne(*lane, std::move(event));
    ++inflight;
  }
}

void Forwarder::PublishOne(Lane& lane, Event event) {
  for (auto& [name, other] : lanes_) other.served *= kShareDecay;
  lane.served += 1;
  OutgoingMessage message;
  message.topic = topic_.Expand(options_.gateway_id, event);
  message.qos = options_.qos;
  AppendEnvelope(message.payload, options_.gateway_id, event);
  if (event.seq <= lane.highest_sent) resent_.fetch_add(1, std::memory_order_relaxed);
  lane.highest_sent = std::max(lane.highest_sent, event.seq);
  lane.inflight.insert(event.seq);
  publisher_.Publish(message, [this, stream = event.stream, seq = event.seq](PublishResult r) {
    Complete(stream, seq, r);
  });
}

bool Forwarder::Refill(Lane& lane) {
  std::vector<Event> events;
  if (Status s = store_.ReadAfter(lane.schedule.name, lane.cursor, options_.read_batch, &events);
      !s.ok()) {
    uint64_t suppressed = 0;
    if (problem_log_.Allow(clock_.Now(), &suppressed)) {
      log_.Error(kComponent, "cannot read the queue: " + s.ToString());
    }
    return false;
  }
  if (events.empty()) return false;
  lane.cursor = events.back().seq;
  for (Event& e : events) lane.backlog.push_back(std::move(e));
  return true;
}

}  // namespace ef::uplink
