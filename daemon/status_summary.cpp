#include "daemon/status_summary.h"

#include <algorithm>

#include "core/json.h"
#include "daemon/gateway.h"
#include "storage/sqlite_store.h"
#include "uplink/mqtt_publisher.h"

namespace ef::daemon {
namespace {

std::string Num(double v) { return FormatDecimal(v, 1); }

// The largest value of gauge family `name` (0 without series).
double Max(const std::vector<MetricFamily>& families, std::string_view name) {
  double out = 0;
  for (const MetricFamily& f : families) {
    if (f.name != name) continue;
    for (const MetricSeries& s : f.series) {
      if (const auto* g = std::get_if<double>(&s.value)) out = std::max(out, *g);
    }
  }
  return out;
}

}  // namespace

StatusSummary::StatusSummary(const Clock& clock, std::string client_id, Clock::Duration every)
    : clock_(clock), client_id_(std::move(client_id)), every_(every), started_(clock.Now()),
      next_(clock.Now() + every), last_at_(clock.Now()) {}

bool StatusSummary::Due() const {
  return every_ > Clock::Duration::zero() && clock_.Now() >= next_;
}

std::string StatusSummary::Build(const std::vector<MetricFamily>& families, bool healthy) {
  const Clock::TimePoint now = clock_.Now();
  next_ = now + every_;
  const Totals t = TotalsOf(families);
  const double seconds = std::max(std::chrono::duration<double>(now - last_at_).count(), 1e-3);
  const double received_per_s = static_cast<double>(t.received - last_received_) / seconds;
  const double uplinked_per_s = static_cast<double>(t.uplinked - last_uplinked_) / seconds;
  last_at_ = now;
  last_received_ = t.received;
  last_uplinked_ = t.uplinked;
  std::string out = "{\"client\":";
  AppendJsonString(out, client_id_);
  out += ",\"state\":\"online\",\"summary\":{\"version\":\"" EF_VERSION "\",\"libraries\":[";
  AppendJsonString(out, uplink::MqttLibraryVersion());
  out += ',';
  AppendJsonString(out, storage::SqliteLibraryVersion());
  out += "],\"uptime_s\":" +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now - started_).count()) +
         ",\"healthy\":" + (healthy ? "true" : "false") +
         ",\"queue_events\":" + std::to_string(t.queued) +
         ",\"queue_bytes\":" +
         std::to_string(static_cast<uint64_t>(SumOf(families, "edgeferry_queue_bytes"))) +
         ",\"queue_oldest_age_s\":" + Num(Max(families, "edgeferry_queue_oldest_age_seconds")) +
         ",\"received_per_s\":" + Num(received_per_s) +
         ",\"uplinked_per_s\":" + Num(uplinked_per_s) +
         ",\"received\":" + std::to_string(t.received) +
         ",\"committed\":" + std::to_string(t.committed) +
         ",\"uplinked\":" + std::to_string(t.uplinked) +
         ",\"dropped\":" + std::to_string(t.losses.dropped) +
         ",\"rejected\":" + std::to_string(t.losses.rejected) +
         ",\"expired\":" + std::to_string(t.losses.expired) +
         ",\"dead_lettered\":" + std::to_string(t.losses.dead_lettered) +
         ",\"devices_silent\":" +
         std::to_string(static_cast<uint64_t>(Max(families, "edgeferry_devices_silent"))) + "}}";
  return out;
}

}  // namespace ef::daemon
