// Rule files: every `*.toml` of a rules directory (rules.d/ beside the main configuration),
// each holding [[rule]] tables. Loading parses and validates ALL files before anything is
// returned, so a caller (start-up, a reload, `edgeferry check`) either gets a complete,
// valid RuleSet or the list of errors as "file:line:col: message" lines.
//
// Files are read in name order; a rule name must be unique across the directory.
// Thread-safety: pure functions of their arguments (and the files); a RuleSet is immutable
// once loaded and can be handed to the pipeline thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rules/rule.h"
#include "rules/rule_kinds.h"
#include "rules/rule_spec.h"

namespace ef::rules {

struct LoadedRule {
  RuleSpec spec;
  std::shared_ptr<const Rule> rule;
};

struct RuleSet {
  std::vector<LoadedRule> rules;
  std::vector<std::string> files;  // the files read, for messages
};

// Parses one file's text (named `file` in errors) and appends its rules to `out`. Returns the
// errors (empty on success).
std::vector<std::string> LoadRuleText(std::string_view text, const std::string& file,
                                      const RuleKinds& kinds, RuleSet* out);

// Loads every *.toml in `dir`. A directory that does not exist is an empty set when
// `missing_ok`, else an error.
std::vector<std::string> LoadRuleDir(const std::string& dir, const RuleKinds& kinds,
                                     bool missing_ok, RuleSet* out);

// The state of a directory's rule files (names, sizes, modification times), to notice a
// change cheaply; empty for a missing directory.
std::string RuleDirSignature(const std::string& dir);

}  // namespace ef::rules
