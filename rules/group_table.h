// GroupTable: the open groups of one rule, by group key, in least-recently-used order, with
// their memory and the keys whose checkpoint must be written (or erased) at the next commit.
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
  bool dirty = false;  // in the table's dirty list
};

class GroupTable {
 public:
  // The group `key`, or nullptr.
  GroupEntry* Find(const std::string& key);
  // Inserts a new group `key` at the front. REQUIRES: not present.
  GroupEntry& Insert(const std::string& key, std::unique_ptr<GroupState> state,
                     Clock::TimePoint now);
  // Moves `key` to the front (most recently used) and stamps it.
  void Touch(GroupEntry& entry, Clock::TimePoint now);
  // Records a new size of the entry.
  void Resize(GroupEntry& entry, size_t bytes);
  // The least recently used group's key, or nullptr when empty.
  const std::string* Oldest() const { return lru_.empty() ? nullptr : &lru_.back(); }
  // Removes the group; its checkpoint is erased at the next commit.
  void Erase(const std::string& key);
  void MarkDirty(GroupEntry& entry) {
    if (entry.dirty) return;
    entry.dirty = true;
    changed_.push_back(&entry);
  }
  // Calls write(key, entry) for each group changed since the last call, then erase(key) for
  // each group erased since and not created again.
  template <class Write, class Erase>
  void TakeDirty(Write write, Erase erase) {
    for (GroupEntry* entry : changed_) {
      entry->dirty = false;
      write(*entry->lru, *entry);
    }
    changed_.clear();
    for (const std::string& key : erased_) {
      if (Find(key) == nullptr) erase(key);
    }
    erased_.clear();
  }
  // Sets every group's last activity to `now` (after a restore, which knows no time).
  void StampAll(Clock::TimePoint now) {
    for (auto& [key, entry] : groups_) entry.last_seen = now;
  }
  size_t size() const { return groups_.size(); }
  size_t bytes() const { return bytes_; }
  // Every key, oldest first.
  const std::list<std::string>& keys() const { return lru_; }

 private:
  std::unordered_map<std::string, GroupEntry> groups_;
  std::list<std::string> lru_;  // front: most recent
  std::vector<GroupEntry*> changed_;  // groups changed since the last TakeDirty
  std::vector<std::string> erased_;   // keys erased since the last TakeDirty
  size_t bytes_ = 0;
};

}  // namespace ef::rules
