// Where: a rule's `where` filter, a conjunction of comparisons on the event's fields:
//
//   where = "temp > 40 and status == 'run' and alarm != true"
//
// Each clause is `field op literal`, op one of == != < <= > >=, literal a number, true/false
// or a quoted string ('..' or ".."); clauses join with `and`. `device` and `stream` name the
// event's device id and stream when no field is called so. Numbers compare as numbers (an
// integer field against 40.5 too), strings as strings; a clause on a missing field, or on a
// value of another type, is false. An empty filter passes everything.
//
// Immutable once parsed: thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"

namespace ef::rules {

class Where {
 public:
  // Parses `text`; on error returns false and sets `*error` and `*offset` (0-based column in
  // `text` where the problem is).
  bool Parse(std::string_view text, std::string* error, size_t* offset);
  bool Passes(const Event& event) const;
  bool empty() const { return clauses_.empty(); }
  // The field names the clauses compare, in order (a name once).
  std::vector<std::string> fields() const;

 private:
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };
  struct Clause {
    std::string field;
    Op op = Op::kEq;
    Value literal;
  };
  static bool Holds(const Clause& clause, const Value& value);

  std::vector<Clause> clauses_;
};

// The value of the field `name` of `event` (`device`, `stream` when it has no such field),
// or nullptr.
const Value* FindField(const Event& event, std::string_view name, Value* scratch);

}  // namespace ef::rules
