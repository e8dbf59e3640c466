// SeqLease: a high-water mark of sequence numbers kept outside the database, in a small file
// next to it ("<queue.db>.seq"), which moving a damaged database aside does not take away.
//
// The mark is at or above every seq the store ever handed out: before a seq comes within half
// a step of the mark, the mark moves a step (a million) ahead, written to a temporary file,
// synced and renamed over the old one (then the folder is synced). That is about one small
// write per million events: no flash wear. A database found damaged (or deleted) starts above
// the mark, so no seq is ever issued twice, whatever the wall clock says after a reboot.
//
// A failed write is retried later (every thousand seqs): only a seq beyond the mark itself
// fails, so a briefly full disk does not stop ingest while the mark still covers it.
//
// Not thread-safe: the store's mutex guards it.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace ef::storage {

class SeqLease {
 public:
  static constexpr uint64_t kStep = 1'000'000;

  SeqLease() = default;  // no file: covers nothing, Cover() always succeeds
  explicit SeqLease(std::string path);

  // Reads the mark from the file: 0 when there is none (or it is unreadable).
  uint64_t Load();
  // Makes sure `seq` is below the mark, moving the mark ahead first when it comes close.
  // Fails (nothing written) only when `seq` is beyond the mark and the file cannot be written.
  Status Cover(uint64_t seq);
  uint64_t mark() const { return mark_; }

 private:
  Status Write(uint64_t mark);

  std::string path_;
  uint64_t mark_ = 0;
  uint64_t retry_at_ = 0;  // after a failed write: the seq to try again at
};

}  // namespace ef::storage
