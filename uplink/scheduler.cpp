#include "uplink/scheduler.h"

namespace ef::uplink {
namespace {
// Each publish multiplies every stream's count by this: shares are over ~the last 200.
constexpr double kDecay = 0.995;

bool Before(const StreamSchedule& a, const StreamSchedule& b) {
  if (a.catch_up != b.catch_up) return !a.catch_up;
  return a.priority > b.priority;
}
}  // namespace

const StreamSchedule* ShareScheduler::Pick(
    const std::vector<const StreamSchedule*>& candidates) const {
  double total = 0;
  for (const StreamSchedule* s : candidates) {
    auto it = served_.find(s->name);
    total += it == served_.end() ? 0 : it->second;
  }
  const StreamSchedule* best = nullptr;
  const StreamSchedule* starved = nullptr;
  double worst_deficit = 0;
  for (const StreamSchedule* s : candidates) {
    auto it = served_.find(s->name);
    const double served = it == served_.end() ? 0 : it->second;
    const double deficit = s->min_share - (total > 0 ? served / total : 1.0);
    if (deficit > worst_deficit) {
      worst_deficit = deficit;
      starved = s;
    }
    if (best == nullptr || Before(*s, *best)) best = s;
  }
  return starved != nullptr ? starved : best;
}

void ShareScheduler::Served(const std::string& stream) {
  for (auto& [name, count] : served_) count *= kDecay;
  served_[stream] += 1;
}

}  // namespace ef::uplink
