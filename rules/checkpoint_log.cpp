#include "rules/checkpoint_log.h"

#include <algorithm>
#include <cstdio>

namespace ef::rules {
namespace {

constexpr std::string_view kSnapshotPrefix = "#snapshot/";
constexpr std::string_view kJournalPrefix = "#journal/";

std::string JournalKey(uint64_t seq) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%016llu", static_cast<unsigned long long>(seq));
  return std::string(kJournalPrefix) + digits;
}

}  // namespace

std::optional<std::string_view> CheckpointLog::SnapshotRule(std::string_view key) {
  if (!key.starts_with(kSnapshotPrefix)) return std::nullopt;
  return key.substr(kSnapshotPrefix.size());
}

bool CheckpointLog::IsJournalKey(std::string_view key) { return key.starts_with(kJournalPrefix); }

std::string CheckpointLog::SnapshotKey(std::string_view rule) {
  return std::string(kSnapshotPrefix) + std::string(rule);
}

void CheckpointLog::RestoredJournal(std::string_view key, size_t bytes) {
  journal_keys_.emplace_back(key);
  journal_bytes_ += bytes;
  // Never reuse a key still in the store (the next snapshot erases it).
  uint64_t seq = 0;
  for (const char c : key.substr(kJournalPrefix.size())) {
    if (c < '0' || c > '9') return;
    seq = seq * 10 + static_cast<uint64_t>(c - '0');
  }
  next_seq_ = std::max(next_seq_, seq + 1);
}

bool CheckpointLog::SnapshotDue(size_t state_bytes) const {
  const auto limit = std::max<size_t>(state_bytes, static_cast<size_t>(min_journal_bytes_));
  return snapshot_due_ || journal_bytes_ > limit;
}

void CheckpointLog::WroteSnapshot(const std::vector<std::string>& rules,
                                  std::vector<StateEntry>& state) {
  for (std::string& key : journal_keys_) state.push_back({std::move(key), {}, true});
  journal_keys_.clear();
  journal_bytes_ = 0;
  for (const std::string& rule : snapshots_) {
    if (std::find(rules.begin(), rules.end(), rule) == rules.end()) {
      state.push_back({SnapshotKey(rule), {}, true});
    }
  }
  snapshots_ = rules;
  snapshot_due_ = false;
}

void CheckpointLog::Append(std::string record, std::vector<StateEntry>& state) {
  std::string key = JournalKey(next_seq_++);
  journal_bytes_ += record.size();
  journal_keys_.push_back(key);
  state.push_back({std::move(key), std::move(record), false});
}

}  // namespace ef::rules
