// QueueStore's write-behind tier ([queue] persist_after_ms): see queue_store.h.
#include "storage/queue_store.h"

namespace ef::storage {

void QueueStore::PersistAfter(const Clock& clock, std::chrono::milliseconds after) {
  std::lock_guard lock(mu_);
  clock_ = after.count() > 0 ? &clock : nullptr;
  persist_after_ = after;
}

Status QueueStore::PersistPending() {
  std::lock_guard lock(mu_);
  if (pending_.empty()) return Status::Ok();
  return WritePending();
}

uint64_t QueueStore::PendingCount() {
  std::lock_guard lock(mu_);
  return pending_.events();
}

Status QueueStore::AppendPending(std::span<Event> events, bool* admitted) {
  *admitted = false;
  // Memory stays bounded when storage keeps failing: then Append fails (and ingest waits).
  if (pending_.events() + events.size() > kMaxPendingEvents) {
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
  if (clock_ == nullptr || pending_.empty()) return Status::Ok();
  if (clock_->Now() - pending_.OldestAt() < persist_after_) return Status::Ok();
  return WritePending();
}

Status QueueStore::WritePendingInGroup() {
  for (const auto& [stream, pending] : pending_.streams()) {
    for (const auto& [seq, entry] : pending) {
      budget_.Remove(stream, 1, entry.size);  // admitted again, as if it came now
      Event event = entry.event;
      if (Status s = AdmitOne(event, seq); !s.ok()) return s;
    }
  }
  pending_in_group_ = true;
  return Status::Ok();
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
  if (below && budget_.Of(stream).events > pending) {
    if (Status s = Read(stream, after_seq, max, out); !s.ok()) return s;
  }
  const size_t read = out->size() - had;
  if (read < max) pending_.Read(stream, after_seq, max - read, out);
  return Status::Ok();
}

}  // namespace ef::storage
