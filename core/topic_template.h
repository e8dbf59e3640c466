// TopicTemplate: names the levels of an MQTT topic, as in "plant/{site}/{device}/telemetry".
//
// A template is a list of levels: a literal ("plant") that the topic must have there, a name
// in braces ("{site}") that captures the level, "+" for any one level, and, last only, "#" for
// any rest (also none). Match() fills the captured names and values, or fails when the topic
// does not fit (another literal, fewer or more levels). Parse() refuses what cannot be meant:
// an empty name, a name used twice, "#" not last, braces inside a level, a filter wildcard
// mixed with text.
//
// A plain value; Match() is const and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace ef {

class TopicTemplate {
 public:
  // One captured level: the name from the template, the value from the topic.
  using Capture = std::pair<std::string_view, std::string_view>;

  static Result<TopicTemplate> Parse(std::string_view text);

  // True when `topic` fits; `out` then holds one capture per named level, in template order
  // (views into the template and into `topic`). `out` is cleared first.
  bool Match(std::string_view topic, std::vector<Capture>* out) const;
  bool empty() const { return levels_.empty(); }
  const std::string& text() const { return text_; }

 private:
  enum class Kind { kLiteral, kName, kAnyOne, kAnyRest };
  struct Level {
    Kind kind;
    std::string text;  // the literal, or the name
  };
  std::string text_;
  std::vector<Level> levels_;
};

// Whether some topic matches both MQTT topic filters `a` and `b` ('+' one level, a last '#'
// any rest, also none). E.g. "#" and "edgeferry/+/telemetry" overlap, "plant/#" and
// "edgeferry/#" do not.
bool TopicFiltersOverlap(std::string_view a, std::string_view b);

}  // namespace ef
