// RuleKinds: the registry of rule kinds, name -> factory. A [[rule]] table's `kind` picks
// its factory, which binds the kind's own keys of the table and builds the Rule.
//
// Kinds register in BuiltinRuleKinds() (rule_kinds.cpp: one line per kind, the factory in
// the kind's own files). The registry is a plain value built by whoever loads rules (the
// daemon, `edgeferry check`, a replay, tests): there is no global one.
//
// A factory gets:
// - `table`: the rule's [[rule]] table, for its own keys and their positions;
// - `shared`: the same table for binding (core/config_bind.h SharedTable): bind the kind's
//   keys through shared.Bind(...) so that the unknown-key check ("did you mean") knows them;
//   keys bound otherwise must be listed with shared.Bind on a dummy field table or errors
//   will call them unknown;
// - `spec`: the common keys already bound (RuleSpec), which it may adjust (a default output
//   stream of its own, say) but must keep valid;
// - `errors`: where to report problems, at the position of the offending value.
// It returns the Rule, or nullptr after adding at least one error.
//
// Thread-safety: a RuleKinds is built once and then only read.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/config_bind.h"
#include "rules/rule.h"
#include "rules/rule_spec.h"

namespace ef::rules {

using RuleFactory = std::unique_ptr<Rule> (*)(const ConfigNode& table, SharedTable& shared,
                                              RuleSpec& spec, ConfigErrors& errors);

struct RuleKind {
  std::string_view name;  // the value of `kind`
  RuleFactory make;
};

class RuleKinds {
 public:
  // Adds `kind`; a second kind of the same name replaces the first.
  void Add(RuleKind kind);
  const RuleKind* Find(std::string_view name) const;
  std::vector<std::string_view> names() const;

 private:
  std::vector<RuleKind> kinds_;
};

// Every kind edgeferry ships ("window", ...).
RuleKinds BuiltinRuleKinds();

}  // namespace ef::rules
