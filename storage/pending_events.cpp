#include "storage/pending_events.h"

#include <algorithm>

#include "storage/queue_store.h"

namespace ef::storage {

void PendingEvents::Add(Event event, uint64_t size, Clock::TimePoint at) {
  const uint64_t seq = event.seq;
  Stream& stream = streams_[event.stream];
  stream.emplace_hint(stream.end(), seq, Entry{std::move(event), size, at});
  ++events_;
  bytes_ += size;
}

void PendingEvents::Read(const std::string& stream, uint64_t after_seq, size_t max,
                         std::vector<Event>* out) const {
  auto it = streams_.find(stream);
  if (it == streams_.end()) return;
  for (auto e = it->second.upper_bound(after_seq); e != it->second.end() && max > 0; ++e, --max) {
    out->push_back(e->second.event);
  }
}

Removed PendingEvents::Take(const std::string& stream, std::span<const uint64_t> seqs,
                            std::vector<uint64_t>* rest) {
  Removed removed;
  auto it = streams_.find(stream);
  for (uint64_t seq : seqs) {
    auto e = it == streams_.end() ? Stream::iterator{} : it->second.find(seq);
    if (it == streams_.end() || e == it->second.end()) {
      rest->push_back(seq);
      continue;
    }
    ++removed.events;
    removed.bytes += e->second.size;
    it->second.erase(e);
  }
  events_ -= removed.events;
  bytes_ -= removed.bytes;
  if (it != streams_.end() && it->second.empty()) streams_.erase(it);
  return removed;
}

Removed PendingEvents::TakeExpired(const std::string& stream, const ExpiryCut& cut) {
  Removed removed;
  auto it = streams_.find(stream);
  if (it == streams_.end()) return removed;
  Stream& s = it->second;
  while (!s.empty()) {
    const Event& e = s.begin()->second.event;
    if (!cut.Expired(e.seq, e.ingest_time_ms, e.clock_unsynced)) break;
    ++removed.events;
    removed.bytes += s.begin()->second.size;
    s.erase(s.begin());
  }
  events_ -= removed.events;
  bytes_ -= removed.bytes;
  if (s.empty()) streams_.erase(it);
  return removed;
}

void PendingEvents::DropAbove(uint64_t after) {
  for (auto it = streams_.begin(); it != streams_.end();) {
    auto from = it->second.upper_bound(after);
    for (auto e = from; e != it->second.end(); ++e) {
      --events_;
      bytes_ -= e->second.size;
    }
    it->second.erase(from, it->second.end());
    it = it->second.empty() ? streams_.erase(it) : std::next(it);
  }
}

Clock::TimePoint PendingEvents::OldestAt() const {
  Clock::TimePoint oldest = Clock::TimePoint::max();
  for (const auto& [name, stream] : streams_) oldest = std::min(oldest, stream.begin()->second.at);
  return oldest;
}

int64_t PendingEvents::OldestIngest(const std::string& stream) const {
  auto it = streams_.find(stream);
  if (it == streams_.end() || it->second.empty()) return 0;
  return it->second.begin()->second.event.ingest_time_ms;
}

uint64_t PendingEvents::CountOf(const std::string& stream) const {
  auto it = streams_.find(stream);
  return it == streams_.end() ? 0 : it->second.size();
}

void PendingEvents::Clear() {
  streams_.clear();
  events_ = 0;
  bytes_ = 0;
}

}  // namespace ef::storage
