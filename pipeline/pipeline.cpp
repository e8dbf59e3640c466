#include "pipeline/pipeline.h"

#include <algorithm>

namespace ef::pipeline {
namespace {
constexpr char kComponent[] = "pipeline";
// The longest the thread waits for input before it looks at its timers again.
constexpr std::chrono::milliseconds kMaxIdleWait{200};
}  // namespace

Pipeline::Pipeline(Store& store, const Clock& clock, Logger& log, MetricsRegistry& metrics,
                   WakeRelay& committed, PipelineOptions options,
                   std::vector<std::unique_ptr<Stage>> stages)
    : store_(store), clock_(clock), log_(log), committed_(committed),
      options_(options), queue_(options.memory_events), stages_(std::move(stages), metrics),
      commit_(store, clock, log, metrics, options.shutdown_retry),
      handoff_events_(metrics.GetGauge("edgeferry_handoff_events",
                                       "Events received and waiting to be committed.")),
      ingest_paused_(metrics.GetGauge("edgeferry_ingest_paused",
                                      "1 while sources are paused by backpressure.")),
      committed_by_stream_(metrics, "edgeferry_events_committed_total",
                           "Events committed to the local queue.", "stream") {}

Pipeline::~Pipeline() {
  if (thread_.joinable()) Stop();
}

Status Pipeline::Start() {
  if (Status s = stages_.Restore(store_); !s.ok()) return s;
  next_expiry_ = clock_.Now();
  Beat(next_expiry_);
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void Pipeline::Govern(std::span<Source* const> sources) {
  const size_t size = queue_.Size();
  handoff_events_.Set(static_cast<double>(size));
  if (!paused_ && size >= queue_.capacity()) {
    paused_ = true;
    for (Source* source : sources) source->Pause();
  } else if (paused_ && size <= queue_.capacity() / 2) {
    paused_ = false;
    for (Source* source : sources) source->Resume();
  }
  ingest_paused_.Set(paused_ ? 1 : 0);
}

void Pipeline::Stop() {
  queue_.Close();
  commit_.Abandon();
  if (thread_.joinable()) thread_.join();
}

Clock::Duration Pipeline::IdleWait(Clock::TimePoint now) const {
  const Clock::TimePoint due = std::min(stages_.NextTimer(), next_expiry_);
  if (due <= now) return Clock::Duration::zero();
  return std::min<Clock::Duration>(due - now, kMaxIdleWait);
}

void Pipeline::Run() {
  std::vector<Event> events;
  std::vector<StateEntry> state;
  std::vector<DeadLetterEntry> dead;
  events.reserve(options_.max_events);
  // PopBatch returns false only once the queue is closed and empty: then all is committed.
  while (queue_.PopBatch(&events, options_.max_events, IdleWait(clock_.Now()),
                         options_.interval)) {
    const Clock::TimePoint now = clock_.Now();
    if (options_.alive != nullptr) options_.alive->Beat(now);
    if (!WallSynced()) {
      for (Event& event : events) event.clock_unsynced = true;
    }
    TakeRefused(events, dead);
    StageGroup group{events, state, now, clock_.WallMillis(), &dead};
    stages_.Run(group);
    stages_.RunTimers(group);
    // Swept before this group's commit: the sweep dates what was committed before it.
    ExpireIfDue(now);
    if (!events.empty() || !state.empty() || !dead.empty()) {
      CommitGroup(events, state, dead);
    } else {
      Beat(now);  // nothing to do is not a stall
    }
    events.clear();
    state.clear();
    dead.clear();
  }
}

void Pipeline::TakeRefused(std::vector<Event>& events, std::vector<DeadLetterEntry>& dead) {
  // Rare: one pass to find out, the stable partition only when there is something to take.
  auto refused = [](const Event& e) { return !e.refused.empty(); };
  if (std::none_of(events.begin(), events.end(), refused)) return;
  auto keep = std::stable_partition(events.begin(), events.end(),
                                    [&](const Event& e) { return !refused(e); });
  for (auto it = keep; it != events.end(); ++it) {
    std::string reason = "ingest: " + std::move(it->refused);
    it->refused.clear();
    dead.push_back({std::move(*it), std::move(reason)});
  }
  events.erase(keep, events.end());
}

bool Pipeline::WallSynced() const {
  return options_.clock_sync == nullptr || options_.clock_sync->Synchronized();
}

void Pipeline::CommitGroup(std::vector<Event>& events, std::vector<StateEntry>& state,
                           const std::vector<DeadLetterEntry>& dead) {
  // While a group waits (a backpressure bound, a full disk), the TTL sweep goes on: expiring
  // events is what may make room for it.
  auto between_tries = [this] {
    if (options_.alive != nullptr) options_.alive->Beat(clock_.Now());
    ExpireIfDue(clock_.Now());
  };
  if (!commit_.Commit(events, state, dead, clock_.WallMillis(), between_tries)) return;
  // TTL ages count from here (Store::Expire): the highest seq committed, and when.
  for (const Event& event : events) last_commit_seq_ = std::max(last_commit_seq_, event.seq);
  last_commit_at_ = clock_.Now();
  CountCommitted(events);
  committed_.Wake();
  Beat(clock_.Now());
}

void Pipeline::Beat(Clock::TimePoint now) {
  if (options_.heartbeat != nullptr) options_.heartbeat->Beat(now);
}

void Pipeline::CountCommitted(const std::vector<Event>& events) {
  // Groups are mostly of one stream: count runs, look the counter up once per run.
  for (size_t i = 0; i < events.size();) {
    const std::string& stream = events[i].stream;
    uint64_t stored = 0;
    for (; i < events.size() && events[i].stream == stream; ++i) {
      stored += events[i].seq != 0;  // seq 0: refused by a reject_new bound (counted there)
    }
    if (stored > 0) committed_by_stream_.For(stream).Add(stored);
  }
}

void Pipeline::ExpireIfDue(Clock::TimePoint now) {
  if (now < next_expiry_) return;
  next_expiry_ = now + options_.expire_every;
  Result<uint64_t> expired = store_.Expire(
      SweepTime{now, clock_.WallMillis(), WallSynced(), last_commit_seq_, last_commit_at_});
  uint64_t suppressed = 0;
  if (!expired.ok() && expiry_log_.Allow(now, &suppressed)) {
    log_.Warning(kComponent, "TTL sweep failed: " + expired.status().ToString());
  }
}

}  // namespace ef::pipeline
