// StorageWrites: how many bytes this process caused to be written to storage since it
// started (the kernel's write_bytes in /proc/self/io: what reaches the block layer, WAL,
// checkpoints and the sequence lease included), the figure that wears a flash card out.
// Linux only; 0 where /proc/self/io cannot be read. Thread-safe (reads a file).
//
// WritesRecorder hands that figure, with the events queued since the start, to the queue file
// (storage::SqliteStore::NoteWrites), where `edgeferry queue stats`, another process, reads
// it. The storage library never reads /proc itself. Not thread-safe: the main loop owns it.
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "storage/sqlite_store.h"

namespace ef::daemon {

// write_bytes of /proc/<pid>/io ("self" by default); 0 when unreadable.
uint64_t ProcessWriteBytes(const std::string& pid = "self");

class WritesRecorder {
 public:
  // `start_seq`: the queue's last_seq when the daemon opened it. `store` and `clock` must
  // outlive the recorder.
  WritesRecorder(storage::SqliteStore& store, const Clock& clock, uint64_t start_seq);

  // The figure now, stored with one of the next groups (see SqliteStore::NoteWrites).
  void Note(uint64_t last_seq);
  // The figure now, stored at once (a clean stop).
  Status Save(uint64_t last_seq);

 private:
  storage::StorageWrites Figure(uint64_t last_seq) const;

  storage::SqliteStore& store_;
  const Clock& clock_;
  const uint64_t start_seq_;
  const int64_t since_ms_;
};

}  // namespace ef::daemon
