#include "uplink/lanes.h"

#include <algorithm>

namespace ef::uplink {
namespace {
constexpr char kComponent[] = "uplink";
constexpr char kCatchUpSuffix[] = " (catch-up)";
}  // namespace

Lanes::Lanes(Store& store, const Clock& clock, Logger& log, LanesOptions options)
    : store_(store), clock_(clock), log_(log), options_(std::move(options)) {}

const StreamSchedule& Lanes::ScheduleFor(const std::string& stream) const {
  for (const StreamSchedule& s : options_.streams) {
    if (s.name == stream) return s;
  }
  return options_.defaults;
}

Lane& Lanes::For(const std::string& stream) {
  auto [it, added] = lanes_.try_emplace(stream);
  if (added) {
    it->second.schedule = ScheduleFor(stream);
    it->second.schedule.name = stream;
    it->second.stream = stream;
  }
  return it->second;
}

Lane* Lanes::Find(const std::string& name) {
  auto found = lanes_.find(name);
  return found == lanes_.end() ? nullptr : &found->second;
}

size_t Lanes::InflightTotal() const {
  size_t n = 0;
  for (const auto& [name, lane] : lanes_) n += lane.inflight.size();
  return n;
}

void Lanes::Discover() {
  for (const StreamBacklog& backlog : store_.Backlog()) For(backlog.stream);
  for (auto& [name, lane] : lanes_) lane.exhausted = false;
}

void Lanes::ResendFrom(Lane& lane, uint64_t after_seq) {
  lane.cursor = after_seq;  // acked events are gone from the store: no skip
  lane.backlog.clear();
  lane.ready.reset();
  lane.resend_from = 0;
  lane.exhausted = false;
  lane.reached_end = false;
}

void Lanes::RewindFailed() {
  for (auto& [name, lane] : lanes_) {
    if (lane.resend_from != 0 && lane.inflight.empty()) ResendFrom(lane, lane.resend_from - 1);
  }
}

void Lanes::SplitBacklogs() {
  std::optional<uint64_t> boundary;
  for (const StreamBacklog& waiting : store_.Backlog()) {
    if (waiting.events < options_.split_at) continue;
    Lane& live = For(waiting.stream);
    const std::string name = waiting.stream + kCatchUpSuffix;
    auto old = lanes_.find(name);
    if (!live.schedule.live_first || !live.inflight.empty()) continue;
    if (old != lanes_.end() && !old->second.inflight.empty()) continue;
    if (!boundary) {
      Result<StoreStats> stats = store_.Stats();
      if (!stats.ok()) return;  // no split: the stream drains in order
      boundary = stats->last_seq;
    }
    Lane& backlog = lanes_[name];
    backlog.schedule = live.schedule;
    backlog.schedule.name = name;
    backlog.schedule.catch_up = true;
    backlog.stream = waiting.stream;
    backlog.until_seq = *boundary;
    backlog.highest_sent = std::max(backlog.highest_sent, live.highest_sent);
    backlog.failures = 0;
    ResendFrom(backlog, 0);
    ResendFrom(live, *boundary);
    log_.Info(kComponent, "stream '" + waiting.stream + "': " + std::to_string(waiting.events) +
                              " events waiting; new events go first, the backlog up to seq " +
                              std::to_string(*boundary) + " after them");
  }
}

void Lanes::RetireCaughtUp() {
  std::erase_if(lanes_, [](const auto& entry) {
    const Lane& lane = entry.second;
    return lane.until_seq != 0 && lane.reached_end && lane.backlog.empty() && !lane.ready &&
           lane.inflight.empty() && lane.resend_from == 0;
  });
}

bool Lanes::Refill(Lane& lane) {
  if (lane.reached_end) return false;
  std::vector<Event> events;
  if (Status s = store_.ReadAfter(lane.stream, lane.cursor, options_.read_batch, &events);
      !s.ok()) {
    uint64_t suppressed = 0;
    if (problem_log_.Allow(clock_.Now(), &suppressed)) {
      log_.Error(kComponent, "cannot read the queue: " + s.ToString());
    }
    return false;
  }
  if (lane.until_seq != 0) {  // a catch-up lane stops at its boundary: the rest is live
    auto beyond = std::find_if(events.begin(), events.end(),
                               [&](const Event& e) { return e.seq > lane.until_seq; });
    lane.reached_end = beyond != events.end() || events.empty();
    events.erase(beyond, events.end());
  }
  if (events.empty()) return false;
  lane.cursor = events.back().seq;
  for (Event& e : events) lane.backlog.push_back(std::move(e));
  return true;
}

}  // namespace ef::uplink
