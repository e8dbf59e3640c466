#include "rules/rule_kinds.h"

#include <array>

#include "rules/detectors/detector_rule.h"
#include "rules/window_rule.h"

namespace ef::rules {
namespace {
// One line per kind; its factory lives in the kind's own files.
constexpr std::array<RuleKind, 2> kBuiltinKinds = {{
    {"window", MakeWindowRule},
    {"detector", MakeDetectorRule},
}};
}  // namespace

void RuleKinds::Add(RuleKind kind) {
  for (RuleKind& known : kinds_) {
    if (known.name == kind.name) {
      known = kind;
      return;
    }
  }
  kinds_.push_back(kind);
}

const RuleKind* RuleKinds::Find(std::string_view name) const {
  for (const RuleKind& kind : kinds_) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}

std::vector<std::string_view> RuleKinds::names() const {
  std::vector<std::string_view> names;
  for (const RuleKind& kind : kinds_) names.push_back(kind.name);
  return names;
}

RuleKinds BuiltinRuleKinds() {
  RuleKinds kinds;
  for (const RuleKind& kind : kBuiltinKinds) kinds.Add(kind);
  return kinds;
}

}  // namespace ef::rules
