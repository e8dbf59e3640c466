#include "daemon/storage_writes.h"

#include <fstream>

namespace ef::daemon {

uint64_t ProcessWriteBytes(const std::string& pid) {
  std::ifstream io("/proc/" + pid + "/io");
  std::string key;
  uint64_t value = 0;
  while (io >> key >> value) {
    if (key == "write_bytes:") return value;
  }
  return 0;
}

WritesRecorder::WritesRecorder(storage::SqliteStore& store, const Clock& clock,
                               uint64_t start_seq)
    : store_(store), clock_(clock), start_seq_(start_seq), since_ms_(clock.WallMillis()) {}

storage::StorageWrites WritesRecorder::Figure(uint64_t last_seq) const {
  // The process, not the recorder, started the count: since_ms is when the queue was opened,
  // moments after the start.
  return {ProcessWriteBytes(), last_seq > start_seq_ ? last_seq - start_seq_ : 0, since_ms_,
          clock_.WallMillis()};
}

void WritesRecorder::Note(uint64_t last_seq) { store_.NoteWrites(Figure(last_seq)); }

Status WritesRecorder::Save(uint64_t last_seq) { return store_.SaveWrites(Figure(last_seq)); }

}  // namespace ef::daemon
