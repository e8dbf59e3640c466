// DeviceMatchCache: which rules' device globs match a device, remembered per device id, so the
// engine tests each rule's glob once per device rather than once per event and rule (with 50
// rules that was a tenth of the engine's work; bench/README.md).
//
// For() returns the rule slots whose glob matches, in slot order, each with the hint to its
// group of the device (rule_slot.h), valid until the next Reset() or Trim(). Reset() when
// the rule set changes; Trim() between groups of events keeps the cache bounded (it is
// emptied once it holds kMaxDevices devices).
//
// Not thread-safe: the pipeline thread's.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "rules/rule_slot.h"

namespace ef::rules {

class DeviceMatchCache {
 public:
  static constexpr size_t kMaxDevices = 100'000;

  struct Match {
    uint32_t slot;
    GroupHint hint;
  };

  std::vector<Match>& For(const std::string& device,
                          const std::vector<std::unique_ptr<RuleSlot>>& slots) {
    auto [it, added] = matches_.try_emplace(device);
    if (added) {
      for (uint32_t s = 0; s < slots.size(); ++s) {
        if (DeviceMatches(slots[s]->spec(), device)) it->second.push_back({s, {}});
      }
    }
    return it->second;
  }
  void Reset() { matches_.clear(); }
  void Trim() {
    if (matches_.size() >= kMaxDevices) matches_.clear();
  }

 private:
  std::unordered_map<std::string, std::vector<Match>> matches_;
};

}  // namespace ef::rules
