// DeviceMatchCache: which rules' device globs match a device, remembered per device id, so the
// engine tests each rule's glob once per device rather than once per event and rule (with 50
// rules that was a tenth of the engine's work; bench/README.md).
//
// For() returns one flag per rule slot (1: the glob matches) and one more after them (1: any
// matched), valid until the next Reset() or Trim(). Reset() when the rule set changes; Trim() between groups of events keeps the cache
// bounded (it is emptied once it holds kMaxDevices devices).
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

  const uint8_t* For(const std::string& device,
                     const std::vector<std::unique_ptr<RuleSlot>>& slots) {
    auto [it, added] = flags_.try_emplace(device);
    if (added) {
      it->second.reserve(slots.size() + 1);
      uint8_t any = 0;
      for (const auto& slot : slots) {
        it->second.push_back(DeviceMatches(slot->spec(), device) ? 1 : 0);
        any |= it->second.back();
      }
      it->second.push_back(any);
    }
    return it->second.data();
  }
  void Reset() { flags_.clear(); }
  void Trim() {
    if (flags_.size() >= kMaxDevices) flags_.clear();
  }

 private:
  std::unordered_map<std::string, std::vector<uint8_t>> flags_;
};

}  // namespace ef::rules
