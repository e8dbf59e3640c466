// Rule fields against data contracts, for `edgeferry check`: a rule that names a field (in
// `fields`, `where` or `group_by`) that no data contract declares for the events it reads
// most likely has a typo, or was written for another version of the devices' payload.
//
// The contracts that describe a rule's input are those that can bind an event the rule takes:
// a stream contract when the rule reads that stream (or any stream), a topic contract when the
// rule's `topic` overlaps the contract's topic_template (or the rule has no `topic`). What
// such a contract declares: the fields of its newest version (the stage normalises every
// event to it), its version_field, and the names its topic_template captures. A rule whose
// input no contract describes is not checked: events no contract binds may hold any field.
//
// The findings are warnings, not errors: with unknown_fields = "keep" an undeclared field can
// still arrive. Lives in daemon/ because it is the only place that sees both rules/ and
// pipeline/. Pure functions: thread-safe.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "pipeline/contract/contract.h"
#include "rules/rule_loader.h"

namespace ef::daemon {

// Every field reference of `rules` that no contract describing the rule's input declares, as
// "file:line:col: warning: ..." lines (the position of the rule's key naming the field), each
// with a did-you-mean hint when a declared field is close, or the field's new name when a
// contract renamed it. Empty when every field is declared (or no contract applies).
std::vector<std::string> CheckRuleFields(const rules::RuleSet& rules,
                                         std::span<const pipeline::Contract> contracts);

}  // namespace ef::daemon
