// StageChain: the pipeline's stages in their order, run over one group.
//
// Run() passes the group through every stage; each stage's output is the next one's input.
// RunTimers() calls OnTimer() of every stage whose timer is due and passes what it produced
// through the stages after it. State entries a stage adds are prefixed with "<name>/", so
// stages never see each other's keys. Counts, per stage, the events in and out.
//
// Thread-safety: owned and used by the pipeline thread only (Restore before it starts).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/stage.h"
#include "core/store.h"

namespace ef::pipeline {

class StageChain {
 public:
  StageChain(std::vector<std::unique_ptr<Stage>> stages, MetricsRegistry& metrics);

  // Hands every stage the state it committed before. Fails on the first stage that fails,
  // naming it.
  Status Restore(Store& store);
  void Run(StageGroup& group) { RunFrom(0, group); }
  void RunTimers(StageGroup& group);
  // The earliest timer of any stage; Stage::kNoTimer when none is set.
  Clock::TimePoint NextTimer() const;
  bool empty() const { return links_.empty(); }

 private:
  struct Link {
    std::unique_ptr<Stage> stage;
    std::string prefix;  // "<name>/"
    Counter* events_in;
    Counter* events_out;
  };
  void RunFrom(size_t first, StageGroup& group);
  void PrefixState(const Link& link, StageGroup& group, size_t first_new);

  std::vector<Link> links_;
};

}  // namespace ef::pipeline
