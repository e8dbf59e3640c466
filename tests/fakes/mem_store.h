// MemStore: an in-memory Store with the SqliteStore's contract (minus durability), for
// tests. FailNextAppends(n) makes the next n appends fail with an I/O error, leaving the
// store unchanged. Thread-safe.
#pragma once

#include <map>
#include <mutex>

#include "core/store.h"

namespace ef::testing {

class MemStore final : public Store {
 public:
  Status Append(std::span<Event> events) override {
    std::lock_guard lock(mu_);
    if (fail_appends_ > 0) {
      --fail_appends_;
      return Status::IoError("injected append failure");
    }
    for (Event& e : events) {
      e.seq = ++last_seq_;
      events_[e.seq] = e;
    }
    return Status::Ok();
  }
  Status ReadAfter(uint64_t after_seq, size_t max, std::vector<Event>* out) override {
    std::lock_guard lock(mu_);
    for (auto it = events_.upper_bound(after_seq); it != events_.end() && max > 0; ++it, --max) {
      out->push_back(it->second);
    }
    return Status::Ok();
  }
  Status Ack(std::span<const uint64_t> seqs) override {
    std::lock_guard lock(mu_);
    for (uint64_t seq : seqs) events_.erase(seq);
    return Status::Ok();
  }
  Result<StoreStats> Stats() override {
    std::lock_guard lock(mu_);
    StoreStats s;
    s.events = events_.size();
    for (const auto& [seq, e] : events_) s.bytes += e.payload.size();
    s.last_seq = last_seq_;
    s.oldest_ingest_ms = events_.empty() ? 0 : events_.begin()->second.ingest_time_ms;
    return s;
  }
  void FailNextAppends(int n) {
    std::lock_guard lock(mu_);
    fail_appends_ = n;
  }

 private:
  std::mutex mu_;
  std::map<uint64_t, Event> events_;
  uint64_t last_seq_ = 0;
  int fail_appends_ = 0;
};

}  // namespace ef::testing
