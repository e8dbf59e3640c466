// edgeferry's SqliteStore as ef-bench-storage drives it: through the ef::Store interface, as
// the pipeline (Append) and the uplink (ReadAfter, then Ack once the cloud acknowledged) do.
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "bench/storage/queue_under_test.h"
#include "storage/sqlite_store.h"

namespace ef::bench {
namespace {

constexpr char kStream[] = "telemetry";

[[noreturn]] void Die(const char* what, const Status& s) {
  std::fprintf(stderr, "ef-bench-storage: store %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

class StoreQueue final : public QueueUnderTest {
 public:
  explicit StoreQueue(std::unique_ptr<storage::SqliteStore> store) : store_(std::move(store)) {}

  void Append(std::span<Event> group) override {
    if (Status s = store_->Append(group); !s.ok()) Die("append", s);
  }

  size_t ReadOldest(size_t max) override {
    read_.clear();
    if (Status s = store_->ReadAfter(kStream, cursor_, max, &read_); !s.ok()) Die("read", s);
    seqs_.clear();
    for (const Event& e : read_) seqs_.push_back(e.seq);
    if (!seqs_.empty()) cursor_ = seqs_.back();
    return read_.size();
  }

  void AckRead() override {
    if (seqs_.empty()) return;
    if (Status s = store_->Ack(kStream, seqs_); !s.ok()) Die("ack", s);
    seqs_.clear();
  }

 private:
  std::unique_ptr<storage::SqliteStore> store_;
  std::vector<Event> read_;
  std::vector<uint64_t> seqs_;
  uint64_t cursor_ = 0;
};

}  // namespace

std::unique_ptr<QueueUnderTest> OpenStoreQueue(const std::string& path, Durability durability) {
  storage::SqliteStoreOptions options;
  options.path = path;
  options.durability =
      durability == Durability::kFull ? storage::Durability::kFull : storage::Durability::kNormal;
  options.now_utc = "19700101T000000Z";
  auto store = storage::SqliteStore::Open(options, storage::StorePolicy{});
  if (!store.ok()) Die("open", store.status());
  return std::make_unique<StoreQueue>(std::move(store.value()));
}

}  // namespace ef::bench
