// ContractStage: checks each event against the data contract bound to its topic (template)
// or stream (pipeline/contract/contract.h), and normalises it to the contract's newest
// version, so rules and the uplink see one shape while devices are upgraded one by one.
//
// - The message's version comes from the contract's version_field (an int, or text such as
//   "v2"); without one, or when the field is missing, it is the first version.
// - Checked against that version: each field's type (an int is accepted for a float and
//   widened; a timestamp is epoch ms or RFC 3339 text, stored as epoch ms), its range, the
//   required fields, and fields the version does not know (unknown_fields: keep, drop or
//   reject). Missing optional fields get their default.
// - Normalised: renamed fields take their newest name, int fields widened to float become
//   floats, fields added since get their defaults, fields removed since are dropped, and the
//   version field says the newest version.
// - A violation sends the event to the dead letters ("contract 'pump' v1: field 'temp': ..."),
//   counted in edgeferry_contract_violations_total{contract,reason} with reason one of
//   unknown_version, missing_field, wrong_type, out_of_range, unknown_field. The first
//   contract that binds an event (file order) applies; events no contract binds pass.
//
// Reload: Replace() (from any thread, e.g. the daemon's at SIGHUP) hands over a new set of
// contracts; the pipeline thread takes it at the start of its next group, so every message
// is checked by exactly one set, in order, and none is lost in between.
//
// Duplicates: a contract with a dedup_key drops a message whose key (after normalising) is
// among its last dedup_window keys, counted in edgeferry_duplicates_dropped_total{contract};
// the windows are stage state committed with each group (pipeline/contract/dedup_window.h),
// so they survive a restart, and a reload keeps the windows of contracts it keeps.
//
// Thread-safety: a Stage (the pipeline thread only), but Replace().
#pragma once

#include <map>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/stage.h"
#include "core/topic_template.h"
#include "pipeline/contract/contract.h"
#include "pipeline/contract/dedup_window.h"

namespace ef::pipeline {

class ContractStage final : public Stage {
 public:
  ContractStage(std::vector<Contract> contracts, MetricsRegistry& metrics);

  const std::string& name() const override { return name_; }
  Status Restore(std::span<const StateEntry> state) override;
  void Process(StageGroup& group) override;
  // Thread-safe: the contracts to use from the next group on.
  void Replace(std::vector<Contract> contracts);

 private:
  struct Bound {
    Contract contract;
    TopicTemplate topic;
  };
  const Bound* Find(const Event& event);
  void Check(const Bound& bound, Event& event, StageGroup& group);
  // False when the event is a duplicate under its contract's dedup_key.
  bool Admit(const Contract& contract, const Event& event, StageGroup& group);
  void EnsureWindows();
  Counter& ViolationCounter(const std::string& contract, std::string_view code);
  Counter& DuplicateCounter(const std::string& contract);

  static std::vector<Bound> Bind(std::vector<Contract> contracts);

  const std::string name_ = "contracts";
  std::mutex replace_mu_;
  std::optional<std::vector<Bound>> replacement_;  // guarded by replace_mu_
  std::atomic<bool> replaced_{false};
  std::vector<Bound> bound_;
  MetricsRegistry& metrics_;
  std::map<std::string, Counter*, std::less<>> violations_;
  std::map<std::string, Counter*, std::less<>> duplicates_;
  std::vector<TopicTemplate::Capture> captures_;
  std::map<std::string, std::unique_ptr<DedupWindow>, std::less<>> windows_;  // by contract
  std::vector<StateEntry> restored_;  // for windows of contracts a reload brings
  std::string key_;
  std::vector<Event> out_;
};

}  // namespace ef::pipeline
