#include "pipeline/contract/dedup_window.h"

#include <algorithm>
#include <charconv>

namespace ef::pipeline {

bool DedupWindow::Admit(const std::string& key, std::vector<StateEntry>& state) {
  if (keys_.contains(key)) return false;
  keys_.insert(key);
  order_.push_back(key);
  state.push_back({prefix_ + key, std::to_string(next_++), false});
  while (order_.size() > capacity_) {
    state.push_back({prefix_ + order_.front(), {}, true});
    keys_.erase(order_.front());
    order_.pop_front();
  }
  return true;
}

void DedupWindow::Restore(std::span<const StateEntry> entries) {
  std::vector<std::pair<uint64_t, std::string>> seen;
  for (const StateEntry& e : entries) {
    if (!e.key.starts_with(prefix_)) continue;
    uint64_t n = 0;
    std::from_chars(e.value.data(), e.value.data() + e.value.size(), n);
    seen.emplace_back(n, e.key.substr(prefix_.size()));
  }
  std::sort(seen.begin(), seen.end());
  order_.clear();
  keys_.clear();
  for (auto& [n, key] : seen) {
    keys_.insert(key);
    order_.push_back(std::move(key));
    next_ = std::max(next_, n + 1);
  }
  // A smaller capacity than before: the oldest go at the next Admit (and are erased then).
}

}  // namespace ef::pipeline
