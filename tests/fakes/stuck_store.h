// StuckStore: a MemStore behind a gate. Append() blocks on the gate until Release(), as a
// commit on a hung disk would; everything else goes straight to the MemStore. For tests of
// what notices a stuck thread (systemd's watchdog). Thread-safe.
#pragma once

#include <condition_variable>
#include <mutex>

#include "storage/mem_store.h"

namespace ef::testing {

class StuckStore final : public Store {
 public:
  // Appends block from now on, until Release().
  void Block() {
    std::lock_guard lock(mu_);
    blocked_ = true;
  }
  void Release() {
    std::lock_guard lock(mu_);
    blocked_ = false;
    cv_.notify_all();
  }
  bool Blocking() {  // an Append is waiting at the gate
    std::lock_guard lock(mu_);
    return waiting_ > 0;
  }

  Status Append(std::span<Event> events, std::span<const StateEntry> state) override {
    {
      std::unique_lock lock(mu_);
      ++waiting_;
      cv_.wait(lock, [&] { return !blocked_; });
      --waiting_;
    }
    return inner_.Append(events, state);
  }
  Status ReadState(std::string_view prefix, std::vector<StateEntry>* out) override {
    return inner_.ReadState(prefix, out);
  }
  Status ReadAfter(std::string_view stream, uint64_t after_seq, size_t max,
                   std::vector<Event>* out) override {
    return inner_.ReadAfter(stream, after_seq, max, out);
  }
  Status Ack(std::string_view stream, std::span<const uint64_t> seqs) override {
    return inner_.Ack(stream, seqs);
  }
  Status DeadLetter(std::string_view stream, std::span<const uint64_t> seqs,
                    std::string_view reason, int64_t now_ms) override {
    return inner_.DeadLetter(stream, seqs, reason, now_ms);
  }
  Result<uint64_t> Expire(const SweepTime& at) override { return inner_.Expire(at); }
  std::vector<StreamBacklog> Backlog() override { return inner_.Backlog(); }
  Result<StoreStats> Stats() override { return inner_.Stats(); }
  Status RecordDrainRates(std::span<const StreamRate> rates, int64_t now_ms) override {
    return inner_.RecordDrainRates(rates, now_ms);
  }

 private:
  storage::MemStore inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool blocked_ = false;
  int waiting_ = 0;
};

}  // namespace ef::testing
