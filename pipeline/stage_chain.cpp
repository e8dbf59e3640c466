#include "pipeline/stage_chain.h"

namespace ef::pipeline {

StageChain::StageChain(std::vector<std::unique_ptr<Stage>> stages, MetricsRegistry& metrics) {
  for (auto& stage : stages) {
    const MetricLabels labels = {{"stage", stage->name()}};
    Counter& in = metrics.GetCounter("edgeferry_stage_events_in_total",
                                     "Events a pipeline stage was given.", labels);
    Counter& out = metrics.GetCounter("edgeferry_stage_events_out_total",
                                      "Events a pipeline stage passed on or produced.", labels);
    std::string prefix = stage->name() + "/";
    links_.push_back({std::move(stage), std::move(prefix), &in, &out});
  }
}

Status StageChain::Restore(Store& store) {
  for (Link& link : links_) {
    std::vector<StateEntry> state;
    Status s = store.ReadState(link.prefix, &state);
    if (s.ok()) {
      for (StateEntry& entry : state) entry.key.erase(0, link.prefix.size());
      s = link.stage->Restore(state);
    }
    if (!s.ok()) {
      return s.WithContext("stage '" + link.stage->name() + "': cannot restore its state: ");
    }
  }
  return Status::Ok();
}

void StageChain::PrefixState(const Link& link, StageGroup& group, size_t first_new) {
  for (size_t i = first_new; i < group.state.size(); ++i) {
    group.state[i].key.insert(0, link.prefix);
  }
}

void StageChain::RunFrom(size_t first, StageGroup& group) {
  for (size_t i = first; i < links_.size() && !group.events.empty(); ++i) {
    Link& link = links_[i];
    const size_t state_before = group.state.size();
    link.events_in->Add(group.events.size());
    link.stage->Process(group);
    link.events_out->Add(group.events.size());
    PrefixState(link, group, state_before);
  }
}

void StageChain::RunTimers(StageGroup& group) {
  for (size_t i = 0; i < links_.size(); ++i) {
    Link& link = links_[i];
    if (link.stage->NextTimer() > group.now) continue;
    std::vector<Event> produced;
    StageGroup timed{produced, group.state, group.now, group.wall_ms, group.dead_letters};
    const size_t state_before = group.state.size();
    link.stage->OnTimer(timed);
    link.events_out->Add(produced.size());
    PrefixState(link, group, state_before);
    RunFrom(i + 1, timed);
    for (Event& e : produced) group.events.push_back(std::move(e));
  }
}

Clock::TimePoint StageChain::NextTimer() const {
  Clock::TimePoint next = Stage::kNoTimer;
  for (const Link& link : links_) next = std::min(next, link.stage->NextTimer());
  return next;
}

}  // namespace ef::pipeline
