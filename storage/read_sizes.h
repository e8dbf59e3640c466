// ReadSizes: the accounted sizes of the events SqliteStore handed out by Read and that are not
// removed yet, so that an ack of them needs no query to know how many bytes it frees.
//
// Kept in sequence order in a deque: the uplink reads each stream in order and sequence
// numbers are unique across streams, so recording is an append and an ack of the oldest
// reads is an erase at the front, without a node allocated per event. A re-read (a seq not
// above every one recorded) is not recorded again; bounded (cleared when it grows too large).
// Whatever is not recorded makes the ack fall back to a query. Not thread-safe: the store's
// lock is held.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <utility>

namespace ef::storage {

class ReadSizes {
 public:
  void Add(uint64_t seq, uint64_t size) {
    if (!entries_.empty() && seq <= entries_.back().first) return;
    if (entries_.size() >= kMaxEntries) entries_.clear();
    entries_.emplace_back(seq, size);
  }

  // Forgets the recorded seqs in [first, last]. True, with their total size in `bytes`, if
  // every seq of the range was recorded.
  bool Take(uint64_t first, uint64_t last, uint64_t* bytes) {
    const auto begin = Find(first);
    auto end = begin;
    uint64_t sum = 0;
    for (; end != entries_.end() && end->first <= last; ++end) sum += end->second;
    const bool all = static_cast<uint64_t>(end - begin) == last - first + 1;
    entries_.erase(begin, end);
    *bytes = sum;
    return all;
  }

  // Forgets every seq up to `last` (removed by drop_oldest or a TTL).
  void ForgetUpTo(uint64_t last) { entries_.erase(entries_.begin(), Find(last + 1)); }

 private:
  static constexpr size_t kMaxEntries = 200'000;
  using Entries = std::deque<std::pair<uint64_t, uint64_t>>;

  Entries::iterator Find(uint64_t seq) {
    return std::lower_bound(entries_.begin(), entries_.end(), seq,
                            [](const auto& entry, uint64_t s) { return entry.first < s; });
  }

  Entries entries_;  // (seq, size), ascending seq
};

}  // namespace ef::storage
