// LossReport: turns the store's per-stream counters into log lines, so that every drop,
// rejection, expiry and dead letter is also visible in the journal: at most one line per
// stream per call, saying what changed since the previous call. The daemon calls it every
// few seconds. Not thread-safe; one owner.
#pragma once

#include <map>
#include <string>

#include "core/log.h"
#include "core/store.h"

namespace ef::storage {

class LossReport {
 public:
  // Logs, as warnings, what grew since the last call. The first call only takes a baseline
  // (what the counters held at start was reported by an earlier run).
  void Update(const StoreStats& stats, Logger& log);

 private:
  bool started_ = false;
  std::map<std::string, StreamCounters> last_;
};

}  // namespace ef::storage
