#include "pipeline/contract/contract_stage.h"

#include "pipeline/contract/contract_check.h"

namespace ef::pipeline {

ContractStage::ContractStage(std::vector<Contract> contracts, MetricsRegistry& metrics)
    : bound_(Bind(std::move(contracts))), metrics_(metrics) {}

std::vector<ContractStage::Bound> ContractStage::Bind(std::vector<Contract> contracts) {
  std::vector<Bound> bound;
  for (Contract& c : contracts) {
    auto topic = TopicTemplate::Parse(c.topic_template);  // checked when loaded
    bound.push_back({std::move(c), topic.ok() ? std::move(topic.value()) : TopicTemplate()});
  }
  return bound;
}

void ContractStage::Replace(std::vector<Contract> contracts) {
  std::vector<Bound> bound = Bind(std::move(contracts));
  std::lock_guard lock(replace_mu_);
  replacement_ = std::move(bound);
  replaced_.store(true, std::memory_order_release);
}

const ContractStage::Bound* ContractStage::Find(const Event& event) {
  for (const Bound& b : bound_) {
    if (b.topic.empty() ? b.contract.stream == event.stream
                        : b.topic.Match(event.origin, &captures_)) {
      return &b;
    }
  }
  return nullptr;
}

Counter& ContractStage::ViolationCounter(const std::string& contract, std::string_view code) {
  std::string key = contract;
  key += '\0';
  key += code;
  if (auto it = violations_.find(key); it != violations_.end()) return *it->second;
  Counter& c = metrics_.GetCounter("edgeferry_contract_violations_total",
                                   "Events that broke their data contract (dead-lettered).",
                                   {{"contract", contract}, {"reason", std::string(code)}});
  violations_.emplace(std::move(key), &c);
  return c;
}

void ContractStage::Check(const Bound& bound, Event& event, StageGroup& group) {
  ContractViolation violation;
  if (CheckAndNormalise(bound.contract, event, &violation)) {
    out_.push_back(std::move(event));
    return;
  }
  ViolationCounter(bound.contract.name, violation.code).Add();
  if (group.dead_letters == nullptr) {
    event.quality = Quality::kBad;
    out_.push_back(std::move(event));
  } else {
    group.dead_letters->push_back({std::move(event), std::move(violation.detail)});
  }
}

void ContractStage::Process(StageGroup& group) {
  if (replaced_.load(std::memory_order_acquire)) {  // a group boundary: swap here
    std::lock_guard lock(replace_mu_);
    bound_ = std::move(*replacement_);
    replacement_.reset();
    replaced_.store(false, std::memory_order_relaxed);
  }
  out_.clear();
  out_.reserve(group.events.size());
  for (Event& event : group.events) {
    const Bound* bound = Find(event);
    if (bound == nullptr) {
      out_.push_back(std::move(event));
    } else {
      Check(*bound, event, group);
    }
  }
  group.events.swap(out_);
  out_.clear();
}

}  // namespace ef::pipeline
