#include "storage/mem_store.h"

namespace ef::storage {
namespace {
constexpr char kInjectedFull[] = "injected: disk full";
}

struct MemStore::Data {
  struct Row {
    Event event;
    uint64_t size = 0;
  };
  std::map<std::string, std::map<uint64_t, Row>> streams;
  size_t dead_letters = 0;
  uint64_t last_seq = 0;
  std::map<std::string, StreamCounters> counters;
  std::map<std::string, DrainRate> drain_rates;
  std::map<std::string, std::string> stage_state;  // snapshotted with the rest by Begin
};

MemStore::MemStore(StorePolicy policy)
    : QueueStore(std::move(policy)), data_(std::make_unique<Data>()) {}

MemStore::~MemStore() = default;

void MemStore::FailNextInserts(int n, bool as_disk_full) {
  fail_inserts_ = n;
  fail_as_full_ = as_disk_full;
}

Status MemStore::Begin() {
  before_group_ = std::make_unique<Data>(*data_);
  return Status::Ok();
}

Status MemStore::Commit() {
  before_group_.reset();
  return Status::Ok();
}

void MemStore::Rollback() {
  if (before_group_) data_ = std::move(before_group_);
}

Status MemStore::Insert(const Event& event, uint64_t seq, uint64_t size) {
  if (fail_inserts_ > 0) {
    --fail_inserts_;
    return Status::IoError(fail_as_full_ ? kInjectedFull : "injected: I/O error");
  }
  Data::Row row{event, size};
  row.event.seq = seq;
  data_->streams[event.stream][seq] = std::move(row);
  return Status::Ok();
}

Status MemStore::SaveStageState(std::span<const StateEntry> state) {
  for (const StateEntry& entry : state) {
    if (entry.erase) {
      data_->stage_state.erase(entry.key);
    } else {
      data_->stage_state[entry.key] = entry.value;
    }
  }
  return Status::Ok();
}

Status MemStore::LoadStageState(const std::string& prefix, std::vector<StateEntry>* out) {
  const auto& state = data_->stage_state;
  for (auto it = state.lower_bound(prefix); it != state.end() && it->first.starts_with(prefix);
       ++it) {
    out->push_back({it->first, it->second});
  }
  return Status::Ok();
}

bool MemStore::IsFull(const Status& status) const { return status.message() == kInjectedFull; }

Result<Removed> MemStore::RemoveOldest(const std::string& stream, uint64_t bytes) {
  Removed removed;
  auto& rows = data_->streams[stream];
  while (!rows.empty() && removed.bytes < bytes) {
    ++removed.events;
    removed.bytes += rows.begin()->second.size;
    rows.erase(rows.begin());
  }
  return removed;
}

Result<Removed> MemStore::RemoveExpired(const std::string& stream, const ExpiryCut& cut) {
  Removed removed;
  auto& rows = data_->streams[stream];
  while (!rows.empty()) {
    const Event& oldest = rows.begin()->second.event;
    if (!cut.Expired(oldest.seq, oldest.ingest_time_ms, oldest.clock_unsynced)) break;
    ++removed.events;
    removed.bytes += rows.begin()->second.size;
    rows.erase(rows.begin());
  }
  return removed;
}

Result<Removed> MemStore::Remove(const std::string& stream, std::span<const uint64_t> seqs) {
  Removed removed;
  auto& rows = data_->streams[stream];
  for (uint64_t seq : seqs) {
    auto it = rows.find(seq);
    if (it == rows.end()) continue;
    ++removed.events;
    removed.bytes += it->second.size;
    rows.erase(it);
  }
  return removed;
}

Status MemStore::InsertDeadLetter(const DeadLetterEntry&, int64_t) {
  ++data_->dead_letters;
  return Status::Ok();
}

Result<Removed> MemStore::MoveToDeadLetters(const std::string& stream,
                                            std::span<const uint64_t> seqs, std::string_view,
                                            int64_t) {
  Result<Removed> removed = Remove(stream, seqs);
  data_->dead_letters += removed->events;
  return removed;
}

Status MemStore::Read(const std::string& stream, uint64_t after_seq, size_t max,
                      std::vector<Event>* out) {
  auto found = data_->streams.find(stream);
  if (found == data_->streams.end()) return Status::Ok();
  for (auto it = found->second.upper_bound(after_seq); it != found->second.end() && max > 0;
       ++it, --max) {
    out->push_back(it->second.event);
  }
  return Status::Ok();
}

Status MemStore::SaveState(uint64_t last_seq,
                           const std::map<std::string, StreamCounters>& counters) {
  data_->last_seq = last_seq;
  data_->counters = counters;
  return Status::Ok();
}

Status MemStore::LoadState(std::map<std::string, Usage>* usage,
                           std::map<std::string, StreamCounters>* counters,
                           uint64_t* last_seq) {
  for (const auto& [stream, rows] : data_->streams) {
    Usage& u = (*usage)[stream];
    for (const auto& [seq, row] : rows) {
      ++u.events;
      u.bytes += row.size;
    }
  }
  *counters = data_->counters;
  *last_seq = data_->last_seq;
  return Status::Ok();
}

Result<int64_t> MemStore::OldestIngest(const std::string& stream) {
  auto found = data_->streams.find(stream);
  if (found == data_->streams.end() || found->second.empty()) return int64_t{0};
  return found->second.begin()->second.event.ingest_time_ms;
}

Result<uint64_t> MemStore::DeadLetterCount() { return static_cast<uint64_t>(data_->dead_letters); }

Status MemStore::SaveDrainRates(std::span<const StreamRate> rates, int64_t now_ms) {
  for (const StreamRate& r : rates) data_->drain_rates[r.stream] = {r.events_per_s, now_ms};
  return Status::Ok();
}

Status MemStore::LoadDrainRates(std::map<std::string, DrainRate>* rates) {
  *rates = data_->drain_rates;
  return Status::Ok();
}

}  // namespace ef::storage
