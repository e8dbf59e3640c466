// CheckpointLog: where the rules engine's state goes at each commit, and when.
//
// Re-encoding every group a commit touched cost more than the rules themselves (with 1,000
// devices every group is touched by every commit: bench/README.md). So a commit writes one
// journal record instead (state_journal.h: what the engine's call saw), and only now and then
// a snapshot of every rule (rule_slot.h's Snapshot(), one entry per rule). A restart
// restores the snapshots and replays the journal onto them in order, so the state it
// reaches is the one whose outputs were committed; the journal records are erased in the
// commit that writes the next snapshot.
//
// A snapshot is due when the journal has grown past the state it would replace (the open
// groups' bytes, at least `min_journal_bytes`): the journal stays shorter than a snapshot,
// so what a commit writes stays bounded and a restart replays at most that much. It is
// also due at the first commit after a restart (the journal never mixes the monotonic times
// of two runs) and after a reload (the journal never spans two rule sets).
//
// Keys (the stage's own, without its name): "#snapshot/<rule>" and "#journal/<seq>", seq
// zero-padded so that keys sort in order. '#' is not allowed in a rule name, so neither
// collides with "<rule>/<group>", the per-group checkpoints of earlier versions.
//
// Not thread-safe: the pipeline thread's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/store.h"

namespace ef::rules {

class CheckpointLog {
 public:
  explicit CheckpointLog(int64_t min_journal_bytes) : min_journal_bytes_(min_journal_bytes) {}

  // The rule name of a snapshot key, or nullopt.
  static std::optional<std::string_view> SnapshotRule(std::string_view key);
  static bool IsJournalKey(std::string_view key);
  static std::string SnapshotKey(std::string_view rule);

  // What Restore() found in the store: a journal record, a snapshot of `rule`.
  void RestoredJournal(std::string_view key, size_t bytes);
  void RestoredSnapshot(std::string_view rule) { snapshots_.emplace_back(rule); }

  void ForceSnapshot() { snapshot_due_ = true; }
  // Whether this commit writes a snapshot, the open groups holding `state_bytes`.
  bool SnapshotDue(size_t state_bytes) const;
  // This commit writes the snapshots of `rules` (entries added by the caller): erases the
  // journal and the snapshots of rules no longer there.
  void WroteSnapshot(const std::vector<std::string>& rules, std::vector<StateEntry>& state);
  // Adds one journal record to this commit.
  void Append(std::string record, std::vector<StateEntry>& state);

 private:
  const int64_t min_journal_bytes_;
  bool snapshot_due_ = true;  // the first commit ever writes one
  std::vector<std::string> journal_keys_;  // written (or restored) since the last snapshot
  size_t journal_bytes_ = 0;
  uint64_t next_seq_ = 0;
  std::vector<std::string> snapshots_;  // rules with a snapshot in the store
};

}  // namespace ef::rules
