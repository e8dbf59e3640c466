// DedupWindow: the keys of the last `capacity` messages of one contract, to drop broker
// redeliveries (after a reconnect, a restart or a pause Mosquitto may send a QoS 1 message
// again). Bounded: the oldest key is forgotten when a new one would exceed the capacity.
//
// It survives a restart through the stage state committed with each group: every key seen
// adds an entry "<prefix><key>" = its arrival number, every key forgotten erases one; Restore
// rebuilds the window, oldest first, from what was committed.
//
// Thread-safety: one owner thread (the pipeline's).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/store.h"

namespace ef::pipeline {

class DedupWindow {
 public:
  DedupWindow(std::string prefix, size_t capacity) : prefix_(std::move(prefix)), capacity_(capacity) {}

  // True when `key` is new: it is remembered and the state changes appended to `state`.
  // False when it is a duplicate within the window (nothing changes).
  bool Admit(const std::string& key, std::vector<StateEntry>& state);
  // Rebuilds the window from committed entries whose key starts with the prefix.
  void Restore(std::span<const StateEntry> entries);
  void set_capacity(size_t capacity) { capacity_ = capacity; }
  size_t size() const { return order_.size(); }

 private:
  std::string prefix_;
  size_t capacity_;
  uint64_t next_ = 1;
  std::deque<std::string> order_;
  std::unordered_set<std::string> keys_;
};

}  // namespace ef::pipeline
