// Budget: the byte accounting of the queue and the decision what to do with a new event when
// a bound is reached. Pure bookkeeping, no I/O, so both Store implementations share it and it
// is tested on its own. Not thread-safe: the store holds its lock while using it.
#pragma once

#include <map>
#include <string>

#include "core/store.h"
#include "storage/store_policy.h"

namespace ef::storage {

struct Usage {
  uint64_t events = 0;
  uint64_t bytes = 0;
};

class Budget {
 public:
  enum class Verdict { kAccept, kReject, kBackpressure, kEvict };
  struct Decision {
    Verdict verdict = Verdict::kAccept;
    std::string victim;      // kEvict: the stream whose oldest events go
    uint64_t need_bytes = 0;  // kEvict: at least this much must be freed
  };

  explicit Budget(const StorePolicy& policy) : policy_(&policy), capacity_(policy.max_bytes) {}

  // What to do with an event of `size` bytes for `stream`.
  Decision Admit(const std::string& stream, uint64_t size) const;
  // Adds an event of `size` bytes to `stream` if Admit would accept it; false (and nothing
  // changed) otherwise. The common case, with one lookup.
  bool TryAdd(const std::string& stream, uint64_t size);

  void Add(const std::string& stream, uint64_t events, uint64_t bytes);
  // Saturates at zero: rows written by another process (dlq replay) were never added.
  void Remove(const std::string& stream, uint64_t events, uint64_t bytes);
  void Reset() { usage_.clear(); total_ = {}; }

  // Lowers the store's capacity below what it holds now (the disk or the file limit is
  // full); called again before anything fitted, it lowers it further.
  void ClampToCurrent();

  Usage Of(const std::string& stream) const;
  const Usage& total() const { return total_; }
  const std::map<std::string, Usage>& streams() const { return usage_; }
  uint64_t capacity() const { return capacity_; }

 private:
  // True when `size` more bytes fit both the stream's bound and the store's.
  bool Fits(const StreamPolicy& policy, uint64_t own_bytes, uint64_t size) const {
    return (policy.max_bytes == 0 || own_bytes + size <= policy.max_bytes) &&
           total_.bytes + size <= capacity_;
  }
  // The non-empty stream of lowest priority not above `priority` (most bytes on ties).
  const std::string* LowestPriorityVictim(int64_t priority) const;

  const StorePolicy* policy_;
  uint64_t capacity_;
  std::map<std::string, Usage> usage_;
  Usage total_;
};

}  // namespace ef::storage
