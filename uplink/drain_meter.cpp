#include "uplink/drain_meter.h"

#include <utility>

namespace ef::uplink {

void DrainMeter::Acked(const std::string& stream, uint64_t events) {
  streams_[stream].acked += events;
}

std::vector<StreamRate> DrainMeter::Measure(const std::vector<StreamBacklog>& backlog,
                                            Clock::Duration elapsed) {
  std::map<std::string, uint64_t> waiting;
  for (const StreamBacklog& b : backlog) {
    waiting[b.stream] = b.events;
    streams_.try_emplace(b.stream);
  }
  const double seconds = std::chrono::duration<double>(elapsed).count();
  std::vector<StreamRate> rates;
  for (auto& [name, s] : streams_) {
    const uint64_t acked = std::exchange(s.acked, 0);
    if (seconds <= 0) continue;
    const auto found = waiting.find(name);
    const bool has_backlog = found != waiting.end() && found->second > 0;
    if (!has_backlog && acked == 0 && !s.draining) continue;
    rates.push_back({name, static_cast<double>(acked) / seconds});
    s.draining = acked > 0;
  }
  return rates;
}

double TotalRate(const std::vector<StreamRate>& rates) {
  double total = 0;
  for (const StreamRate& r : rates) total += r.events_per_s;
  return total;
}

}  // namespace ef::uplink
