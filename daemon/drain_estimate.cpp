#include "daemon/drain_estimate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ef::daemon {
namespace {

bool Recent(const StreamStats& s, int64_t now_ms) {
  return s.drain_measured_ms > 0 && now_ms - s.drain_measured_ms <= kStaleAfterMs;
}

int64_t AgeMs(const StreamStats& s, int64_t now_ms) {
  if (s.drain_measured_ms == 0) return -1;
  return std::max<int64_t>(0, now_ms - s.drain_measured_ms);  // a clock set back: 0
}

// Sets state and eta from events, per_s and whether the rate is recent.
DrainEstimate Conclude(DrainEstimate e, bool recent) {
  if (e.events == 0) {
    e.state = DrainState::kEmpty;
  } else if (!recent) {
    e.state = DrainState::kNoMeasurement;
    e.per_s = 0;
  } else if (e.per_s <= 0) {
    e.state = DrainState::kNotDraining;
  } else {
    e.state = DrainState::kDraining;
    e.eta_s = static_cast<int64_t>(std::ceil(static_cast<double>(e.events) / e.per_s));
  }
  return e;
}

std::string Ago(int64_t age_ms) { return HumanDuration((age_ms + 500) / 1000) + " ago"; }

}  // namespace

DrainEstimate EstimateStream(const StreamStats& stream, int64_t now_ms) {
  DrainEstimate e;
  e.events = stream.events;
  e.age_ms = AgeMs(stream, now_ms);
  const bool recent = Recent(stream, now_ms);
  e.per_s = recent ? stream.drain_per_s : 0;
  return Conclude(e, recent);
}

DrainEstimate EstimateTotal(const StoreStats& stats, int64_t now_ms) {
  DrainEstimate e;
  bool recent = true, never = false;
  for (const StreamStats& s : stats.streams) {
    if (s.events == 0) continue;  // a drained stream's rate no longer shrinks the backlog
    e.events += s.events;
    recent = recent && Recent(s, now_ms);
    never = never || s.drain_measured_ms == 0;
    e.age_ms = std::max(e.age_ms, AgeMs(s, now_ms));
    e.per_s += s.drain_per_s;
  }
  if (never) e.age_ms = -1;
  return Conclude(e, recent);
}

std::string HumanDuration(int64_t seconds) {
  const int64_t s = std::max<int64_t>(0, seconds);
  const int64_t minutes = (s + 30) / 60, hours = s / 3600, days = s / 86400;
  if (s < 100) return std::to_string(s) + " s";
  if (minutes < 100) return std::to_string(minutes) + " min";
  if (hours < 48) return std::to_string(hours) + " h " + std::to_string(s % 3600 / 60) + " min";
  return std::to_string(days) + " d " + std::to_string(s % 86400 / 3600) + " h";
}

std::string HumanRate(double per_s) {
  if (per_s <= 0) return "0";
  char text[32];
  std::snprintf(text, sizeof text, per_s < 10 ? "%.1f" : "%.0f", per_s);
  return text;
}

std::string DescribeTotal(const DrainEstimate& total) {
  std::string line = "backlog " + std::to_string(total.events) + " events";
  switch (total.state) {
    case DrainState::kEmpty:
      return line;
    case DrainState::kDraining:
      return line + ", draining at " + HumanRate(total.per_s) + " events/s (measured " +
             Ago(total.age_ms) + "), estimated time to drain " + HumanDuration(total.eta_s);
    case DrainState::kNotDraining:
      return line + ", not draining (measured " + Ago(total.age_ms) + ")";
    case DrainState::kNoMeasurement:
      return line + ", no recent drain measurement (" +
             (total.age_ms < 0 ? std::string("none recorded") : "last one " + Ago(total.age_ms)) +
             ")";
  }
  return line;
}

std::string RateCell(const DrainEstimate& stream) {
  const bool known = stream.state == DrainState::kDraining ||
                     stream.state == DrainState::kNotDraining ||
                     (stream.state == DrainState::kEmpty && stream.per_s > 0);
  return known ? HumanRate(stream.per_s) : "-";
}

std::string EtaCell(const DrainEstimate& stream) {
  switch (stream.state) {
    case DrainState::kEmpty:
      return "-";
    case DrainState::kDraining:
      return HumanDuration(stream.eta_s);
    case DrainState::kNotDraining:
      return "not draining";
    case DrainState::kNoMeasurement:
      return "unknown";
  }
  return "-";
}

const char* StateName(DrainState state) {
  static constexpr const char* kNames[] = {"empty", "draining", "not_draining",
                                           "no_measurement"};
  return kNames[static_cast<int>(state)];
}

}  // namespace ef::daemon
