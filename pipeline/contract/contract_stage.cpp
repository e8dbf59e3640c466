#include "pipeline/contract/contract_stage.h"

#include "pipeline/contract/contract_check.h"

namespace ef::pipeline {

ContractStage::ContractStage(std::vector<Contract> contracts, MetricsRegistry& metrics)
    : bound_(Bind(std::move(contracts))), metrics_(metrics) {
  EnsureWindows();
}

void ContractStage::EnsureWindows() {
  for (const Bound& b : bound_) {
    const Contract& c = b.contract;
    if (c.dedup_key.empty()) continue;
    auto& window = windows_[c.name];
    if (window == nullptr) {
      window = std::make_unique<DedupWindow>(c.name + "/", static_cast<size_t>(c.dedup_window));
      window->Restore(restored_);
    }
    window->set_capacity(static_cast<size_t>(c.dedup_window));
  }
}

Status ContractStage::Restore(std::span<const StateEntry> state) {
  restored_.assign(state.begin(), state.end());
  for (auto& [name, window] : windows_) window->Restore(restored_);
  return Status::Ok();
}

namespace {
void AppendKeyPart(const Value& v, std::string& key) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          key += x;
        } else {
          key += std::to_string(x);
        }
      },
      v);
}
}  // namespace

bool ContractStage::Admit(const Contract& contract, const Event& event, StageGroup& group) {
  if (contract.dedup_key.empty()) return true;
  key_.clear();
  for (const std::string& part : contract.dedup_key) {
    if (!key_.empty()) key_ += '\x1f';
    if (part == "device") {
      key_ += event.device_id;
      continue;
    }
    const Field* found = nullptr;
    for (const Field& f : event.fields) found = f.name == part ? &f : found;
    if (found == nullptr) return true;  // no key: not deduplicated
    AppendKeyPart(found->value, key_);
  }
  auto it = windows_.find(contract.name);
  if (it == windows_.end() || it->second->Admit(key_, group.state)) return true;
  DuplicateCounter(contract.name).Add();
  return false;
}

Counter& ContractStage::DuplicateCounter(const std::string& contract) {
  if (auto it = duplicates_.find(contract); it != duplicates_.end()) return *it->second;
  Counter& c = metrics_.GetCounter("edgeferry_duplicates_dropped_total",
                                   "Redelivered messages dropped by a contract's dedup_key.",
                                   {{"contract", contract}});
  duplicates_.emplace(contract, &c);
  return c;
}

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
    if (Admit(bound.contract, event, group)) out_.push_back(std::move(event));
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
    EnsureWindows();
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
