// ForwardingStore: a Store that passes every call to a MemStore it owns (`inner`), for fakes
// that change one call (a gate, a refusal) and keep the rest real. Derive and override what
// the fake changes. Thread-safety: that of MemStore.
#pragma once

#include "storage/mem_store.h"

namespace ef::testing {

class ForwardingStore : public Store {
 public:
  Status Append(std::span<Event> events, std::span<const StateEntry> state) override {
    return inner.Append(events, state);
  }
  Status ReadState(std::string_view prefix, std::vector<StateEntry>* out) override {
    return inner.ReadState(prefix, out);
  }
  Status ReadAfter(std::string_view stream, uint64_t after_seq, size_t max,
                   std::vector<Event>* out) override {
    return inner.ReadAfter(stream, after_seq, max, out);
  }
  Status Ack(std::string_view stream, std::span<const uint64_t> seqs) override {
    return inner.Ack(stream, seqs);
  }
  Status DeadLetter(std::string_view stream, std::span<const uint64_t> seqs,
                    std::string_view reason, int64_t now_ms) override {
    return inner.DeadLetter(stream, seqs, reason, now_ms);
  }
  Result<uint64_t> Expire(const SweepTime& at) override { return inner.Expire(at); }
  std::vector<StreamBacklog> Backlog() override { return inner.Backlog(); }
  Result<StoreStats> Stats() override { return inner.Stats(); }
  Status RecordDrainRates(std::span<const StreamRate> rates, int64_t now_ms) override {
    return inner.RecordDrainRates(rates, now_ms);
  }

  storage::MemStore inner;
};

}  // namespace ef::testing
