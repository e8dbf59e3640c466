#include "core/topic_template.h"

namespace ef {
namespace {

Status Bad(std::string_view text, const std::string& why) {
  return Status::InvalidArgument("topic_template \"" + std::string(text) + "\": " + why);
}

}  // namespace

Result<TopicTemplate> TopicTemplate::Parse(std::string_view text) {
  TopicTemplate t;
  t.text_ = std::string(text);
  if (text.empty()) return t;
  size_t begin = 0;
  for (;;) {
    const size_t slash = text.find('/', begin);
    const std::string_view level =
        text.substr(begin, slash == std::string_view::npos ? slash : slash - begin);
    if (!t.levels_.empty() && t.levels_.back().kind == Kind::kAnyRest) {
      return Bad(text, "'#' must be the last level");
    }
    if (level == "+") {
      t.levels_.push_back({Kind::kAnyOne, {}});
    } else if (level == "#") {
      t.levels_.push_back({Kind::kAnyRest, {}});
    } else if (level.size() >= 2 && level.front() == '{' && level.back() == '}') {
      const std::string_view name = level.substr(1, level.size() - 2);
      if (name.empty() || name.find_first_of("{}+#") != std::string_view::npos) {
        return Bad(text, "'" + std::string(level) + "' is not a name in braces");
      }
      for (const Level& l : t.levels_) {
        if (l.kind == Kind::kName && l.text == name) {
          return Bad(text, "'{" + std::string(name) + "}' is named twice");
        }
      }
      t.levels_.push_back({Kind::kName, std::string(name)});
    } else if (level.find_first_of("{}+#") != std::string_view::npos) {
      return Bad(text, "level '" + std::string(level) +
                           "' mixes text with '{', '}', '+' or '#' (a level is a literal, "
                           "{name}, + or #)");
    } else {
      t.levels_.push_back({Kind::kLiteral, std::string(level)});
    }
    if (slash == std::string_view::npos) break;
    begin = slash + 1;
  }
  return t;
}

bool TopicTemplate::Match(std::string_view topic, std::vector<Capture>* out) const {
  out->clear();
  size_t begin = 0;
  bool topic_done = false;
  for (const Level& level : levels_) {
    if (level.kind == Kind::kAnyRest) return true;
    if (topic_done) return false;  // the topic has fewer levels
    const size_t slash = topic.find('/', begin);
    const std::string_view part =
        topic.substr(begin, slash == std::string_view::npos ? slash : slash - begin);
    if (slash == std::string_view::npos) {
      topic_done = true;
    } else {
      begin = slash + 1;
    }
    if (level.kind == Kind::kLiteral && part != level.text) return false;
    if (level.kind == Kind::kName) out->emplace_back(level.text, part);
  }
  return topic_done;  // more topic levels than the template has: no match
}

bool TopicFiltersOverlap(std::string_view a, std::string_view b) {
  size_t ia = 0, ib = 0;
  for (;;) {
    const size_t sa = a.find('/', ia), sb = b.find('/', ib);
    const std::string_view la = a.substr(ia, sa == std::string_view::npos ? sa : sa - ia);
    const std::string_view lb = b.substr(ib, sb == std::string_view::npos ? sb : sb - ib);
    if (la == "#" || lb == "#") return true;
    if (la != "+" && lb != "+" && la != lb) return false;
    const bool end_a = sa == std::string_view::npos, end_b = sb == std::string_view::npos;
    if (end_a || end_b) {
      // One ended: the other must end too, or continue with just "#" ("a/#" matches "a").
      if (end_a && end_b) return true;
      const std::string_view rest = end_a ? b.substr(sb + 1) : a.substr(sa + 1);
      return rest == "#";
    }
    ia = sa + 1;
    ib = sb + 1;
  }
}

}  // namespace ef
