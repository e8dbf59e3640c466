// GroupTable: the open groups of one rule, by group key, in least-recently-used order, with
// their memory.
//
// Entries are stable in memory until erased. The LRU order doubles as the idle order: the
// back is the group that has been silent longest.
//
// Not thread-safe: the pipeline thread's.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "rules/rule.h"

namespace ef::rules {

struct GroupEntry {
  std::unique_ptr<GroupState> state;
  std::string device;          // the device of its latest event, for outputs
  Clock::TimePoint last_seen;  // monotonic time of its latest event
  size_t bytes = 0;
  // raw = "deadband": the last kept value of each of spec.fields (NaN: none yet).
  std::vector<double> kept;
  std::list<std::string>::iterator lru;
};

class GroupTable {
 public:
  // The group `key`, or nullptr.
  GroupEntry* Find(const std::string& key);
  const GroupEntry* Find(const std::string& key) const;
  // Inserts a new group `key` at the front. REQUIRES: not present.
  GroupEntry& Insert(const std::string& key, std::unique_ptr<GroupState> state,
                     Clock::TimePoint now);
  // Moves `key` to the front (most recently used) and stamps it.
  void Touch(GroupEntry& entry, Clock::TimePoint now);
  // Records a new size of the entry.
  void Resize(GroupEntry& entry, size_t bytes);
  // The least recently used group's key, or nullptr when empty.
  const std::string* Oldest() const { return lru_.empty() ? nullptr : &lru_.back(); }
  // Removes the group. Pointers to other groups stay valid.
  void Erase(const std::string& key);
  // Grows with every Erase(): a GroupEntry* taken at the same generation is still valid.
  uint64_t generation() const { return generation_; }
  // Sets every group's last activity to `now` (after a restore that knows no time).
  void StampAll(Clock::TimePoint now) {
    for (auto& [key, entry] : groups_) entry.last_seen = now;
  }
  // Moves every group's last activity by `by` (onto another run's monotonic clock).
  void ShiftAll(Clock::Duration by) {
    for (auto& [key, entry] : groups_) entry.last_seen += by;
  }
  // The last activity of the most recently used group; min() when there is none.
  Clock::TimePoint NewestSeen() const {
    return lru_.empty() ? Clock::TimePoint::min() : Find(lru_.front())->last_seen;
  }
  size_t size() const { return groups_.size(); }
  size_t bytes() const { return bytes_; }
  // Every key, the most recently used first.
  const std::list<std::string>& keys() const { return lru_; }

 private:
  std::unordered_map<std::string, GroupEntry> groups_;
  std::list<std::string> lru_;  // front: most recent
  uint64_t generation_ = 0;
  size_t bytes_ = 0;
};

}  // namespace ef::rules
