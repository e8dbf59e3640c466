#include "uplink/batch_marks.h"

#include <charconv>
#include <cstdio>

namespace ef::uplink {
namespace {
constexpr char kComponent[] = "uplink";
constexpr char kPrefix[] = "uplink-batch/";

bool ParseU64(std::string_view text, uint64_t* out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}
}  // namespace

std::string BatchMarks::Key(const std::string& stream, uint64_t first) {
  char digits[24];
  std::snprintf(digits, sizeof(digits), "%020llu", static_cast<unsigned long long>(first));
  return kPrefix + stream + "/" + digits;
}

void BatchMarks::Load() {
  std::vector<StateEntry> entries;
  if (Status s = store_.ReadState(kPrefix, &entries); !s.ok()) {
    log_.Error(kComponent, "cannot read the recorded batch boundaries: " + s.ToString());
    return;
  }
  for (const StateEntry& e : entries) {
    const std::string_view rest = std::string_view(e.key).substr(sizeof(kPrefix) - 1);
    const size_t slash = rest.rfind('/');
    uint64_t first = 0, last = 0;
    if (slash == std::string_view::npos || !ParseU64(rest.substr(slash + 1), &first) ||
        !ParseU64(e.value, &last)) {
      continue;
    }
    marks_[std::string(rest.substr(0, slash))][first] = last;
  }
  DropStale();
  if (size() > 0) {
    log_.Info(kComponent, std::to_string(size()) + " batch(es) recorded before: resent with "
                                                   "the same events and ids");
  }
}

// Marks of batches whose events are all gone (acknowledged before the erasure was committed).
void BatchMarks::DropStale() {
  for (auto in = marks_.begin(); in != marks_.end();) {
    std::vector<Event> oldest;
    if (!store_.ReadAfter(in->first, 0, 1, &oldest).ok()) {
      ++in;
      continue;
    }
    auto& m = in->second;
    for (auto it = m.begin(); it != m.end();) {
      if (!oldest.empty() && it->second >= oldest.front().seq) break;
      erase_.push_back({Key(in->first, it->first), {}, true});
      it = m.erase(it);
    }
    in = m.empty() ? marks_.erase(in) : std::next(in);
  }
}

uint64_t BatchMarks::CutLimit(const std::string& stream, uint64_t first) const {
  const auto in = marks_.find(stream);
  if (in == marks_.end()) return kNoLimit;
  const std::map<uint64_t, uint64_t>& m = in->second;
  auto next = m.upper_bound(first);  // the first mark starting after `first`
  if (next != m.begin()) {
    const auto holding = std::prev(next);
    if (holding->second >= first) return holding->second;
  }
  return next == m.end() ? kNoLimit : next->first - 1;
}

bool BatchMarks::Holds(const std::string& stream, uint64_t seq) const {
  const auto in = marks_.find(stream);
  if (in == marks_.end()) return false;
  auto next = in->second.upper_bound(seq);
  return next != in->second.begin() && std::prev(next)->second >= seq;
}

Status BatchMarks::Record(const std::string& stream, uint64_t first, uint64_t last) {
  auto& m = marks_[stream];
  if (auto it = m.find(first); it != m.end() && it->second == last) return Status::Ok();
  std::vector<StateEntry> group = std::move(erase_);
  erase_.clear();
  group.push_back({Key(stream, first), std::to_string(last), false});
  Status s = store_.Append({}, group);
  if (!s.ok()) {
    group.pop_back();
    erase_ = std::move(group);  // try the erasures again with the next mark
    return s;
  }
  m[first] = last;
  return s;
}

void BatchMarks::Forget(const std::string& stream, uint64_t first) {
  const auto in = marks_.find(stream);
  if (in == marks_.end() || in->second.erase(first) == 0) return;
  if (in->second.empty()) marks_.erase(in);
  erase_.push_back({Key(stream, first), {}, true});
}

size_t BatchMarks::size() const {
  size_t n = 0;
  for (const auto& [stream, m] : marks_) n += m.size();
  return n;
}

std::string MessageId(const std::string& gateway, uint64_t first, uint64_t last, bool batch) {
  std::string id = gateway + "-" + std::to_string(first);
  if (batch) id += "-" + std::to_string(last);
  return id;
}

}  // namespace ef::uplink
