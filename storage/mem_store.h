// MemStore: the Store in memory, with exactly the policies of SqliteStore (both are
// QueueStores), for tests and for benchmarks of what lies around the store. Nothing
// survives the process. FailNextInserts(n) makes the next n inserts fail with an I/O error,
// or as if the disk were full, to test the failure and overflow paths.
//
// Thread-safety: as QueueStore (all public methods are serialised).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "storage/queue_store.h"

namespace ef::storage {

class MemStore final : public QueueStore {
 public:
  explicit MemStore(StorePolicy policy = {});
  ~MemStore() override;
  void FailNextInserts(int n, bool as_disk_full = false);  // REQUIRES: no concurrent Append

 protected:
  Status Begin() override;
  Status Commit() override;
  void Rollback() override;
  Status Insert(const Event& event, uint64_t seq, uint64_t size) override;
  Status SaveStageState(std::span<const StateEntry> state) override;
  Status LoadStageState(const std::string& prefix, std::vector<StateEntry>* out) override;
  bool IsFull(const Status& status) const override;
  Result<Removed> RemoveOldest(const std::string& stream, uint64_t bytes) override;
  Result<Removed> Remove(const std::string& stream, std::span<const uint64_t> seqs) override;
  Status InsertDeadLetter(const DeadLetterEntry& dead, int64_t now_ms) override;
  Result<Removed> MoveToDeadLetters(const std::string& stream, std::span<const uint64_t> seqs,
                                    std::string_view reason, int64_t now_ms) override;
  Result<Removed> RemoveExpired(const std::string& stream, const ExpiryCut& cut) override;
  Status Read(const std::string& stream, uint64_t after_seq, size_t max,
              std::vector<Event>* out) override;
  Status SaveState(uint64_t last_seq,
                   const std::map<std::string, StreamCounters>& counters) override;
  Status LoadState(std::map<std::string, Usage>* usage,
                   std::map<std::string, StreamCounters>* counters, uint64_t* last_seq) override;
  Result<int64_t> OldestIngest(const std::string& stream) override;
  Result<uint64_t> DeadLetterCount() override;
  Status SaveDrainRates(std::span<const StreamRate> rates, int64_t now_ms) override;
  Status LoadDrainRates(std::map<std::string, DrainRate>* rates) override;
  bool ChangedElsewhere() override { return false; }

 private:
  struct Data;
  std::unique_ptr<Data> data_;
  std::unique_ptr<Data> before_group_;
  int fail_inserts_ = 0;
  bool fail_as_full_ = false;
};

}  // namespace ef::storage
