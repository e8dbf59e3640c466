// Detector: one anomaly detector over one numeric series, fed in event time.
//
// Observe(t_ms, value) takes the next sample (time in ms, non-decreasing; the caller passes it
// in, nothing here reads a clock) and returns the detector's verdict for it: a score (how far
// from normal, detector-specific scale, 0 = normal) and whether the sample is anomalous. A
// detector that must speak without new samples (missing data) names the time it wants to be
// asked at in NextDeadline() and answers Tick(t_ms) at or after it.
//
// SaveState()/LoadState() turn the learned state into bytes and back, for checkpoints: a
// detector restored from another's SaveState() gives the same verdicts from then on.
// LoadState() of bytes not written by the same kind of detector returns an error and leaves
// the detector as it was.
//
// Thread-safety: none; a detector belongs to one rule on the pipeline thread.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ef::rules {

struct Verdict {
  double score = 0.0;      // detector-specific: z, excess over a limit, seconds stuck, ...
  bool anomalous = false;  // the detector's decision for this sample (or tick)
};

class Detector {
 public:
  static constexpr int64_t kNoDeadline = std::numeric_limits<int64_t>::max();

  virtual ~Detector() = default;
  // The kind's name as written in rule files ("threshold", "adaptive", ...).
  virtual std::string_view kind() const = 0;
  virtual Verdict Observe(int64_t t_ms, double value) = 0;
  // When Tick() should next be called (event-time ms); kNoDeadline for never.
  virtual int64_t NextDeadline() const { return kNoDeadline; }
  // Time passed to `t_ms` without a sample. Only meaningful at or after NextDeadline().
  virtual Verdict Tick(int64_t t_ms) {
    (void)t_ms;
    return {};
  }
  virtual std::string SaveState() const = 0;
  virtual Status LoadState(std::string_view bytes) = 0;
};

}  // namespace ef::rules
