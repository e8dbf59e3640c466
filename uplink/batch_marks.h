// BatchMarks: durable batch boundaries, so that a batch resent after a failure or a restart
// holds exactly the events it held the first time, and keeps its message id (a deduplicating
// cloud such as JetStream drops a message whose id it already stored; a batch cut
// differently would get another id and store its events twice).
//
// Before a batch is first sent, Record() commits its boundaries (stream, first seq, last seq)
// to the Store as stage state under "uplink-batch/<stream>/<first seq>" (Store::Append with
// state only: no new storage interface). When the forwarder cuts a batch, CutLimit() says
// where it must end: at the end of the mark that starts (or holds) its first event, or before
// the next mark. Once a batch is acknowledged or dead-lettered, Forget() drops its mark; the
// erasure rides along with the next Record() (no extra commit), and a mark whose events are
// all gone is harmless meanwhile (no later event falls in it).
//
// Thread-safety: none; it belongs to the forwarder thread.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/store.h"

namespace ef::uplink {

class BatchMarks {
 public:
  static constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

  BatchMarks(Store& store, Logger& log) : store_(store), log_(log) {}

  // Reads the marks an earlier run left. A failed read is logged; batches are then cut anew.
  void Load();
  // The highest seq a batch of `stream` that starts at `first` may hold: the end of the mark
  // holding `first`, else the seq before the next mark, else kNoLimit.
  uint64_t CutLimit(const std::string& stream, uint64_t first) const;
  // True when a mark holds `seq` (a resend: no lingering for a fuller batch).
  bool Holds(const std::string& stream, uint64_t seq) const;
  // Commits the batch [first, last] of `stream` (a no-op when already recorded as such).
  Status Record(const std::string& stream, uint64_t first, uint64_t last);
  // The batch starting at `first` is settled: its mark goes with the next Record().
  void Forget(const std::string& stream, uint64_t first);
  size_t size() const;

 private:
  static std::string Key(const std::string& stream, uint64_t first);
  void DropStale();

  Store& store_;
  Logger& log_;
  std::map<std::string, std::map<uint64_t, uint64_t>> marks_;  // stream -> first -> last
  std::vector<StateEntry> erase_;  // settled marks, erased with the next Record()
};

// The id of a message that carries events [first, last] of `gateway` ("<gateway>-<seq>" for
// one event, "<gateway>-<first>-<last>" for a batch): the same on every resend.
std::string MessageId(const std::string& gateway, uint64_t first, uint64_t last, bool batch);

}  // namespace ef::uplink
