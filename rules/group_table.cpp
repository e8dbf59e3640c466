#include "rules/group_table.h"

namespace ef::rules {

GroupEntry* GroupTable::Find(const std::string& key) {
  auto it = groups_.find(key);
  return it == groups_.end() ? nullptr : &it->second;
}

const GroupEntry* GroupTable::Find(const std::string& key) const {
  auto it = groups_.find(key);
  return it == groups_.end() ? nullptr : &it->second;
}

GroupEntry& GroupTable::Insert(const std::string& key, std::unique_ptr<GroupState> state,
                               Clock::TimePoint now) {
  lru_.push_front(key);
  GroupEntry& entry = groups_[key];
  entry.state = std::move(state);
  entry.last_seen = now;
  entry.lru = lru_.begin();
  return entry;
}

void GroupTable::Touch(GroupEntry& entry, Clock::TimePoint now) {
  entry.last_seen = now;
  if (entry.lru != lru_.begin()) lru_.splice(lru_.begin(), lru_, entry.lru);
}

void GroupTable::Resize(GroupEntry& entry, size_t bytes) {
  bytes_ = bytes_ - entry.bytes + bytes;
  entry.bytes = bytes;
}

void GroupTable::Erase(const std::string& key_ref) {
  const std::string key = key_ref;  // `key_ref` may be the LRU list's own copy, erased below
  auto it = groups_.find(key);
  if (it == groups_.end()) return;
  bytes_ -= it->second.bytes;
  lru_.erase(it->second.lru);
  groups_.erase(it);
  ++generation_;
}

}  // namespace ef::rules
