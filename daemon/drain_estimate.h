// DrainEstimate: what `edgeferry queue stats` says about how fast the backlog drains, from
// the rates the running daemon's uplink recorded in the queue every 10 s
// (StreamStats::drain_per_s, drain_measured_ms) and the wall clock now. A measurement older
// than kStaleAfterMs (the daemon stopped, or runs without an uplink) gives no estimate rather
// than a stale one. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "core/store.h"

namespace ef::daemon {

inline constexpr int64_t kStaleAfterMs = 30'000;

enum class DrainState {
  kEmpty,          // nothing waits
  kDraining,       // a recent rate above 0: eta_s is set
  kNotDraining,    // a recent rate of 0 with a backlog (the uplink is stalled)
  kNoMeasurement,  // a backlog without a recent rate
};

struct DrainEstimate {
  DrainState state = DrainState::kEmpty;
  uint64_t events = 0;  // waiting
  double per_s = 0;     // the recent rate (0 when there is none)
  int64_t age_ms = -1;  // since the (oldest relevant) measurement; -1 = never measured
  int64_t eta_s = -1;   // kDraining: events / per_s, rounded up; else -1
};

// One stream.
DrainEstimate EstimateStream(const StreamStats& stream, int64_t now_ms);
// All streams with a backlog together: their events over the sum of their rates; as old as
// the oldest of their measurements.
DrainEstimate EstimateTotal(const StoreStats& stats, int64_t now_ms);

// "38 s", "12 min", "3 h 20 min", "2 d 5 h": precise enough for an estimate.
std::string HumanDuration(int64_t seconds);
// "210" events/s; one decimal below 10 ("1.5"); "0".
std::string HumanRate(double per_s);
// "backlog 7894 events, draining at 210 events/s (measured 4 s ago), estimated time to
// drain 38 s", or "..., not draining (measured 4 s ago)", or "..., no recent drain
// measurement (last one 5 min ago)".
std::string DescribeTotal(const DrainEstimate& total);
// The "drain/s" and "eta" cells of a stream's row in the table.
std::string RateCell(const DrainEstimate& stream);
std::string EtaCell(const DrainEstimate& stream);
// The state as a JSON string value: "empty", "draining", "not_draining", "no_measurement".
const char* StateName(DrainState state);

}  // namespace ef::daemon
