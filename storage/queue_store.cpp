#include "storage/queue_store.h"

#include <algorithm>

namespace ef::storage {
namespace {
constexpr int kFullRetries = 3;

int64_t LongestTtl(const StorePolicy& policy) {
  int64_t longest = policy.defaults.ttl_ms;
  for (const StreamPolicy& stream : policy.streams) longest = std::max(longest, stream.ttl_ms);
  return longest;
}
}  // namespace

struct QueueStore::Snapshot {
  Budget budget;
  std::map<std::string, StreamCounters> counters;
  uint64_t last_seq;
};

QueueStore::QueueStore(StorePolicy policy)
    : policy_(std::move(policy)), budget_(policy_), ages_(LongestTtl(policy_)) {}

Status QueueStore::Reload() {
  std::map<std::string, Usage> usage;
  std::map<std::string, StreamCounters> counters;
  uint64_t last_seq = 0;
  std::map<std::string, DrainRate> rates;
  if (Status s = LoadState(&usage, &counters, &last_seq); !s.ok()) return s;
  if (Status s = LoadDrainRates(&rates); !s.ok()) return s;
  drain_rates_ = std::move(rates);
  budget_.Reset();
  for (const auto& [stream, u] : usage) budget_.Add(stream, u.events, u.bytes);
  // Pending events are not in storage yet, and their seqs may lie above the stored one.
  for (const auto& [stream, pending] : pending_.streams()) {
    for (const auto& [seq, entry] : pending) budget_.Add(stream, 1, entry.size);
  }
  counters_ = std::move(counters);
  read_sizes_.clear();
  last_seq_ = std::max(last_seq, pending_.empty() ? 0 : last_seq_);
  return Status::Ok();
}

Status QueueStore::RefreshIfChanged() {
  if (!ChangedElsewhere()) return Status::Ok();
  if (Status s = Reload(); !s.ok()) return s;
  // Another process may have stored rows above pending seqs: keep stored rows a prefix.
  return pending_.empty() ? Status::Ok() : WritePending();
}

template <class Body>
Status QueueStore::InGroup(Body body) {
  Status s = Begin();
  // Inside the write lock: pick up what another process (dlq replay) committed meanwhile.
  if (s.ok() && ChangedElsewhere()) {
    s = Reload();
    if (s.ok() && !pending_.empty()) s = WritePendingInGroup();
  }
  Snapshot before{budget_, counters_, last_seq_};
  if (s.ok() && deferred_count_ > 0) s = ApplyDeferredAcksInGroup();
  if (s.ok()) s = body();
  if (s.ok()) s = SaveState(std::max(last_seq_, reserved_seq_), counters_);
  if (s.ok()) s = Commit();
  if (s.ok()) {
    for (const auto& [stream, seqs] : written_in_group_) {
      std::vector<uint64_t> none;
      pending_.Take(stream, seqs, &none);
    }
  }
  written_in_group_.clear();
  if (s.ok() && deferred_in_group_) {
    deferred_acks_.clear();
    deferred_count_ = 0;
  }
  deferred_in_group_ = false;
  if (!s.ok()) {
    Rollback();
    budget_ = before.budget;
    counters_ = std::move(before.counters);
    last_seq_ = before.last_seq;
  }
  return s;
}

Status QueueStore::WritePending() {
  Status s;
  do {  // in chunks of kWriteChunk events, each its own group
    for (int attempt = 0; attempt < kFullRetries; ++attempt) {
      s = InGroup([this] { return WritePendingInGroup(write_chunk_); });
      if (s.ok()) write_chunk_ = std::min(kWriteChunk, write_chunk_ * 2);
      if (s.ok() || !IsFull(s)) break;
      OnDiskFull();
    }
  } while (s.ok() && !pending_.empty());
  return s;
}

void QueueStore::OnDiskFull() {
  // The disk or the file limit is full before the configured bound: the bound is what fits.
  budget_.ClampToCurrent();
  disk_was_full_ = true;
  write_chunk_ = std::max<size_t>(write_chunk_ / 2, 10);  // a full disk takes small groups
  ReclaimJournal();
}

Status QueueStore::StoreReservation() { return InGroup([] { return Status::Ok(); }); }

Status QueueStore::Append(std::span<Event> events, std::span<const StateEntry> state) {
  return AppendWithDeadLetters(events, state, {}, 0);
}

Status QueueStore::AppendWithDeadLetters(std::span<Event> events,
                                         std::span<const StateEntry> state,
                                         std::span<const DeadLetterEntry> dead, int64_t now_ms) {
  if (events.empty() && state.empty() && dead.empty()) return Status::Ok();
  std::lock_guard lock(mu_);
  Status s;
  if (clock_ != nullptr && state.empty() && dead.empty() && !disk_was_full_) {
    bool admitted = false;
    s = AppendPending(events, &admitted);
    if (!s.ok() || admitted) return s;
  }
  // Pending events first, so that stored rows stay a seq-ordered prefix of each stream.
  if (!pending_.empty()) s = WritePending();
  for (int attempt = 0; s.ok() && attempt < kFullRetries; ++attempt) {
    s = InGroup([&] {
      Status group = AppendGroup(events, state);
      for (size_t i = 0; group.ok() && i < dead.size(); ++i) {
        group = InsertDeadLetter(dead[i], now_ms);
        if (group.ok()) ++counters_[dead[i].event.stream].dead_lettered;
      }
      return group;
    });
    if (s.ok() || !IsFull(s)) break;
    OnDiskFull();
    if (attempt + 1 < kFullRetries) s = Status::Ok();  // try again within the lower bound
  }
  if (!s.ok()) {
    for (Event& e : events) e.seq = 0;
  }
  return s;
}

Status QueueStore::AppendGroup(std::span<Event> events, std::span<const StateEntry> state) {
  for (Event& event : events) {
    if (Status s = AdmitOne(event); !s.ok()) return s;
  }
  // After the events: a backpressure refusal above has already failed the group, and with it
  // the state; reject_new refusals have not, so the state is written then too.
  return state.empty() ? Status::Ok() : SaveStageState(state);
}

Status QueueStore::ReadState(std::string_view prefix, std::vector<StateEntry>* out) {
  std::lock_guard lock(mu_);
  return LoadStageState(std::string(prefix), out);
}

Status QueueStore::AdmitOne(Event& event, uint64_t seq) {
  const uint64_t size = event.ByteSize();
  for (;;) {
    // Within the bounds (the common case, one lookup): counted first; if the insert fails,
    // the group rolls back and the accounting with it.
    if (budget_.TryAdd(event.stream, size)) {
      if (Status s = Insert(event, seq != 0 ? seq : last_seq_ + 1, size); !s.ok()) return s;
      event.seq = seq != 0 ? seq : ++last_seq_;
      return Status::Ok();
    }
    const Budget::Decision d = budget_.Admit(event.stream, size);
    switch (d.verdict) {
      case Budget::Verdict::kAccept:  // TryAdd would have taken it
      case Budget::Verdict::kReject:
        event.seq = 0;
        ++counters_[event.stream].rejected;
        return Status::Ok();
      case Budget::Verdict::kBackpressure:
        return Status::Unavailable("stream '" + event.stream +
                                   "' is full (backpressure): ingest pauses until it drains");
      case Budget::Verdict::kEvict: {
        Result<Removed> removed = RemoveOldest(d.victim, d.need_bytes);
        if (!removed.ok()) return removed.status();
        if (removed->events == 0) {  // nothing left to evict: refuse rather than loop
          ++counters_[event.stream].rejected;
          return Status::Ok();
        }
        budget_.Remove(d.victim, removed->events, removed->bytes);
        counters_[d.victim].dropped += removed->events;
        read_sizes_.clear();  // a later ack of an evicted row must not count it again
        break;
      }
    }
  }
}

Status QueueStore::ReadAfter(std::string_view stream, uint64_t after_seq, size_t max,
                             std::vector<Event>* out) {
  std::lock_guard lock(mu_);
  const std::string name(stream);
  if (clock_ == nullptr) return Read(name, after_seq, max, out);
  return ReadPendingAfter(name, after_seq, max, out);
}

Status QueueStore::Ack(std::string_view stream, std::span<const uint64_t> seqs) {
  if (seqs.empty()) return Status::Ok();
  std::lock_guard lock(mu_);
  const std::string name(stream);
  std::vector<uint64_t> stored;
  if (!pending_.empty()) {
    const Removed taken = pending_.Take(name, seqs, &stored);  // no write for these
    budget_.Remove(name, taken.events, taken.bytes);
    seqs = stored;
  }
  std::vector<uint64_t> unread;
  if (clock_ != nullptr && !seqs.empty()) {  // written ones: deleted with the next group
    DeferAcks(name, seqs, &unread);
    seqs = unread;
  }
  if (clock_ != nullptr) (void)PersistIfDue();  // a failure is retried at the next call
  if (seqs.empty()) return Status::Ok();
  return InGroup([&]() -> Status {
    Result<Removed> removed = Remove(name, seqs);
    if (!removed.ok()) return removed.status();
    budget_.Remove(name, removed->events, removed->bytes);
    return Status::Ok();
  });
}

Status QueueStore::DeadLetter(std::string_view stream, std::span<const uint64_t> seqs,
                              std::string_view reason, int64_t now_ms) {
  if (seqs.empty()) return Status::Ok();
  std::lock_guard lock(mu_);
  const std::string name(stream);
  return InGroup([&]() -> Status {
    if (!pending_.empty()) {
      if (Status s = WritePendingInGroup(); !s.ok()) return s;
    }
    Result<Removed> moved = MoveToDeadLetters(name, seqs, reason, now_ms);
    if (!moved.ok()) return moved.status();
    budget_.Remove(name, moved->events, moved->bytes);
    counters_[name].dead_lettered += moved->events;
    return Status::Ok();
  });
}

Result<uint64_t> QueueStore::Expire(const SweepTime& at) {
  std::lock_guard lock(mu_);
  if (Status s = RefreshIfChanged(); !s.ok()) return s;
  if (Status s = PersistIfDue(); !s.ok()) return s;
  if (LongestTtl(policy_) <= 0) return uint64_t{0};
  ages_.Note(at, last_seq_);
  uint64_t expired = 0;
  std::vector<std::string> streams;
  for (const auto& [name, usage] : budget_.streams()) {
    if (usage.events > 0 && policy_.For(name).ttl_ms > 0) streams.push_back(name);
  }
  for (const std::string& name : streams) {
    const ExpiryCut cut = ages_.CutFor(policy_.For(name).ttl_ms);
    Status s = InGroup([&]() -> Status {
      Result<Removed> removed = RemoveExpired(name, cut);
      if (!removed.ok()) return removed.status();
      budget_.Remove(name, removed->events, removed->bytes);
      counters_[name].expired += removed->events;
      if (removed->events > 0) read_sizes_.clear();  // as for evictions
      expired += removed->events;
      return Status::Ok();
    });
    if (!s.ok()) return s;
    // Pending events are younger than any stored one: after them, and without a write (the
    // counter is stored with the next group).
    const Removed gone = pending_.TakeExpired(name, cut);
    budget_.Remove(name, gone.events, gone.bytes);
    counters_[name].expired += gone.events;
    expired += gone.events;
  }
  return expired;
}

std::vector<StreamBacklog> QueueStore::Backlog() {
  std::lock_guard lock(mu_);
  std::vector<StreamBacklog> out;
  for (const auto& [name, usage] : budget_.streams()) {
    if (usage.events > 0) out.push_back({name, usage.events});
  }
  return out;
}

Result<StoreStats> QueueStore::Stats() {
  std::lock_guard lock(mu_);
  if (Status s = RefreshIfChanged(); !s.ok()) return s;
  StoreStats stats;
  stats.last_seq = last_seq_;
  stats.events = budget_.total().events;
  stats.bytes = budget_.total().bytes;
  std::map<std::string, StreamStats> by_name;
  for (const auto& [name, usage] : budget_.streams()) {
    StreamStats& s = by_name[name];
    s.events = usage.events;
    s.bytes = usage.bytes;
  }
  for (const auto& [name, counters] : counters_) by_name[name].counters = counters;
  for (const auto& [name, rate] : drain_rates_) {
    auto known = by_name.find(name);  // a rate alone does not make a stream
    if (known == by_name.end()) continue;
    known->second.drain_per_s = rate.events_per_s;
    known->second.drain_measured_ms = rate.measured_ms;
  }
  for (auto& [name, s] : by_name) {
    s.stream = name;
    if (s.events > 0) {
      Result<int64_t> oldest = OldestIngest(name);
      if (!oldest.ok()) return oldest.status();
      s.oldest_ingest_ms = *oldest != 0 ? *oldest : pending_.OldestIngest(name);
    }
    stats.streams.push_back(std::move(s));
  }
  Result<uint64_t> dead = DeadLetterCount();
  if (!dead.ok()) return dead.status();
  stats.dead_letters = *dead;
  return stats;
}

Status QueueStore::RecordDrainRates(std::span<const StreamRate> rates, int64_t now_ms) {
  if (rates.empty()) return Status::Ok();
  std::lock_guard lock(mu_);
  Status s = InGroup([&] { return SaveDrainRates(rates, now_ms); });
  if (!s.ok()) return s;
  for (const StreamRate& r : rates) drain_rates_[r.stream] = {r.events_per_s, now_ms};
  return Status::Ok();
}

}  // namespace ef::storage
