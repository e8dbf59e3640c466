// QueueStore's write-behind tier ([queue] persist_after_ms): see queue_store.h.
#include "storage/queue_store.h"

#include <algorithm>

namespace ef::storage {

void QueueStore::PersistAfter(const Clock& clock, std::chrono::milliseconds after) {
  std::lock_guard lock(mu_);
  clock_ = after.count() > 0 ? &clock : nullptr;
  persist_after_ = after;
}

Status QueueStore::PersistPending() {
  std::lock_guard lock(mu_);
  if (!pending_.empty() || deferred_count_ > 0) {
    if (Status s = WritePending(); !s.ok()) return s;
  }
  // Every issued seq is written now: the stored last_seq can be the last one issued rather
  // than the reservation (what `queue stats` shows; the next run continues above it).
  if (reserved_seq_ <= last_seq_) return Status::Ok();
  const uint64_t was = reserved_seq_;
  reserved_seq_ = last_seq_;
  Status s = StoreReservation();
  if (!s.ok()) reserved_seq_ = was;
  return s;
}

uint64_t QueueStore::PendingCount() {
  std::lock_guard lock(mu_);
  return pending_.events();
}

Status QueueStore::AppendPending(std::span<Event> events, bool* admitted) {
  *admitted = false;
  // Memory stays bounded when storage keeps failing: then Append fails (and ingest waits).
  if (pending_.events() + events.size() > kMaxPendingEvents ||
      pending_.bytes() > kMaxPendingBytes) {
    if (Status s = WritePending(); !s.ok()) return s;
  }
  // The seqs about to be issued are stored as taken first (one small write per kSeqReserve).
  if (last_seq_ + events.size() > reserved_seq_) {
    const uint64_t was = reserved_seq_;
    reserved_seq_ = last_seq_ + events.size() + kSeqReserve;
    if (Status s = StoreReservation(); !s.ok()) {
      reserved_seq_ = was;
      return s;
    }
  }
  if (!AdmitPending(events)) return Status::Ok();
  *admitted = true;
  (void)PersistIfDue();  // the events are admitted; a failed write is retried at the next call
  return Status::Ok();
}

bool QueueStore::AdmitPending(std::span<Event> events) {
  const uint64_t first = last_seq_;
  const Budget before = budget_;
  const Clock::TimePoint now = clock_->Now();
  for (Event& event : events) {
    const uint64_t size = event.ByteSize();
    if (!budget_.TryAdd(event.stream, size)) {  // a bound is reached: the written path decides
      budget_ = before;
      pending_.DropAbove(first);
      last_seq_ = first;
      for (Event& e : events) e.seq = 0;
      return false;
    }
    event.seq = ++last_seq_;
    pending_.Add(event, size, now);
  }
  return true;
}

Status QueueStore::PersistIfDue() {
  if (clock_ == nullptr) return Status::Ok();
  const Clock::TimePoint now = clock_->Now();
  const bool pending_due = !pending_.empty() && now - pending_.OldestAt() >= persist_after_;
  const bool acks_due = deferred_count_ > 0 && (deferred_count_ >= kMaxDeferredAcks ||
                                                now - deferred_since_ >= persist_after_);
  return pending_due || acks_due ? WritePending() : Status::Ok();
}

Status QueueStore::ApplyDeferredAcksInGroup() {
  for (const auto& [stream, seqs] : deferred_acks_) {
    const std::vector<uint64_t> sorted(seqs.begin(), seqs.end());
    // Accounted at the ack already (DeferAcks).
    if (Result<Removed> removed = Remove(stream, sorted); !removed.ok()) return removed.status();
  }
  deferred_in_group_ = true;
  return Status::Ok();
}

void QueueStore::DeferAcks(const std::string& stream, std::span<const uint64_t> seqs,
                           std::vector<uint64_t>* unread) {
  for (uint64_t seq : seqs) {
    auto known = read_sizes_.find({stream, seq});
    if (known == read_sizes_.end()) {  // not read from storage by this run: its size is unknown
      unread->push_back(seq);
      continue;
    }
    if (deferred_count_ == 0) deferred_since_ = clock_->Now();
    if (deferred_acks_[stream].insert(seq).second) {
      ++deferred_count_;
      budget_.Remove(stream, 1, known->second);
    }
    read_sizes_.erase(known);
  }
}

uint64_t QueueStore::DeferredOf(const std::string& stream) const {
  auto it = deferred_acks_.find(stream);
  return it == deferred_acks_.end() ? 0 : it->second.size();
}

Status QueueStore::WritePendingInGroup(size_t limit) {
  written_in_group_.clear();
  for (const auto& [stream, pending] : pending_.streams()) {
    std::vector<uint64_t>& written = written_in_group_[stream];
    for (const auto& [seq, entry] : pending) {
      if (limit == 0) return Status::Ok();
      --limit;
      budget_.Remove(stream, 1, entry.size);  // admitted again, as if it came now
      Event event = entry.event;
      if (Status s = AdmitOne(event, seq); !s.ok()) return s;
      written.push_back(seq);
    }
  }
  return Status::Ok();
}

void QueueStore::DropDeferred(const std::string& stream, size_t from, std::vector<Event>* out) {
  auto it = deferred_acks_.find(stream);
  if (it == deferred_acks_.end() || it->second.empty()) return;
  const auto acked = [&](const Event& e) { return it->second.count(e.seq) > 0; };
  out->erase(std::remove_if(out->begin() + static_cast<ptrdiff_t>(from), out->end(), acked),
             out->end());
}

Status QueueStore::ReadPendingAfter(const std::string& stream, uint64_t after_seq, size_t max,
                                    std::vector<Event>* out) {
  // Stored rows of the stream all lie below its first pending seq: read storage only when
  // the cursor is below that and the stream has stored rows at all.
  const uint64_t pending = pending_.CountOf(stream);
  const auto& streams = pending_.streams();
  auto it = streams.find(stream);
  const bool below = it == streams.end() || after_seq + 1 < it->second.begin()->first;
  const size_t had = out->size();
  size_t stored = 0;  // rows read from storage, acked ones included
  if (below && budget_.Of(stream).events > pending) {
    if (Status s = Read(stream, after_seq, max, out); !s.ok()) return s;
    stored = out->size() - had;
    DropDeferred(stream, had, out);
    if (read_sizes_.size() + stored > kMaxDeferredAcks) read_sizes_.clear();  // acks then write
    for (size_t i = had; i < out->size(); ++i) {
      read_sizes_[{stream, (*out)[i].seq}] = (*out)[i].ByteSize();
    }
  }
  // Pending events only after the last stored row: not when storage may hold more.
  if (stored < max) pending_.Read(stream, after_seq, max - (out->size() - had), out);
  return Status::Ok();
}

}  // namespace ef::storage
