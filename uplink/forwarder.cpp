#include "uplink/forwarder.h"

namespace ef::uplink {
namespace {
constexpr char kComponent[] = "uplink";
// How often the thread looks again when it has nothing to be woken by (publisher down,
// settling a resend).
constexpr std::chrono::milliseconds kIdlePoll{50};
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
  return {acked_.load(), resent_.load(), dropped_.load()};
}

void Forwarder::Complete(uint64_t seq, PublishResult result) {
  std::lock_guard lock(mu_);
  completions_.push_back({seq, result});
  cv_.notify_one();
}

void Forwarder::Run() {
  Clock::TimePoint drain_deadline{};
  for (;;) {
    Settle();
    bool stopping;
    {
      std::lock_guard lock(mu_);
      stopping = stopping_;
    }
    if (stopping) {
      if (drain_deadline == Clock::TimePoint{}) drain_deadline = clock_.Now() + options_.drain_timeout;
      if (inflight_.empty() || clock_.Now() >= drain_deadline) break;
    } else {
      FillWindow();
    }
    std::unique_lock lock(mu_);
    const bool can_sleep_long = publisher_.Connected() && resend_from_ == 0;
    auto ready = [&] { return woken_ || stopping_ || !completions_.empty(); };
    if (can_sleep_long && (!inflight_.empty() || backlog_.empty())) {
      cv_.wait_for(lock, std::chrono::seconds(1), ready);
    } else {
      cv_.wait_for(lock, kIdlePoll, ready);
    }
    woken_ = false;
  }
  Settle();
  if (!inflight_.empty()) {
    log_.Warning(kComponent, std::to_string(inflight_.size()) +
                                 " publishes unacknowledged at shutdown; they stay queued and "
                                 "are resent on the next start");
  }
}

void Forwarder::Settle() {
  std::vector<Completion> done;
  {
    std::lock_guard lock(mu_);
    done.swap(completions_);
  }
  if (done.empty()) return;
  std::vector<uint64_t> remove;
  for (const Completion& c : done) {
    inflight_.erase(c.seq);
    if (c.result == PublishResult::kRetry) {
      if (resend_from_ == 0 || c.seq < resend_from_) resend_from_ = c.seq;
      continue;
    }
    remove.push_back(c.seq);
    if (c.result == PublishResult::kOk) {
      acked_.fetch_add(1, std::memory_order_relaxed);
    } else {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      uint64_t suppressed = 0;
      if (drop_log_.Allow(clock_.Now(), &suppressed)) {
        log_.Error(kComponent, "the cloud refused event seq " + std::to_string(c.seq) +
                                   " permanently; removed and counted as dropped (" +
                                   std::to_string(suppressed) + " more since last report)");
      }
    }
  }
  // Removing an event the cloud has acknowledged cannot wait for the store forever: a failed
  // Ack only means the event is sent again later (a duplicate, never a loss).
  if (Status s = store_.Ack(remove); !s.ok()) {
    log_.Error(kComponent, "cannot remove acknowledged events: " + s.ToString());
  }
}

void Forwarder::FillWindow() {
  if (resend_from_ != 0) {
    if (!inflight_.empty()) return;  // let every outstanding publish settle first
    cursor_ = resend_from_ - 1;      // acked events are gone from the store: no gap, no skip
    backlog_.clear();
    resend_from_ = 0;
  }
  if (!publisher_.Connected()) return;
  std::string payload;
  while (inflight_.size() < options_.max_inflight) {
    if (backlog_.empty() && !Refill()) return;
    Event event = std::move(backlog_.front());
    backlog_.pop_front();
    OutgoingMessage message;
    message.topic = topic_.Expand(options_.gateway_id, event);
    message.qos = options_.qos;
    AppendEnvelope(message.payload, options_.gateway_id, event);
    if (event.seq <= highest_sent_) resent_.fetch_add(1, std::memory_order_relaxed);
    highest_sent_ = std::max(highest_sent_, event.seq);
    inflight_.insert(event.seq);
    const uint64_t seq = event.seq;
    publisher_.Publish(message, [this, seq](PublishResult r) { Complete(seq, r); });
  }
}

bool Forwarder::Refill() {
  std::vector<Event> events;
  if (Status s = store_.ReadAfter(cursor_, options_.read_batch, &events); !s.ok()) {
    uint64_t suppressed = 0;
    if (store_log_.Allow(clock_.Now(), &suppressed)) {
      log_.Error(kComponent, "cannot read the queue: " + s.ToString());
    }
    return false;
  }
  if (events.empty()) return false;
  cursor_ = events.back().seq;
  for (Event& e : events) backlog_.push_back(std::move(e));
  return true;
}

}  // namespace ef::uplink
