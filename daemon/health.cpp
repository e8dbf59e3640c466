#include "daemon/health.h"

#include <optional>
#include <vector>

#include "core/json.h"

namespace ef::daemon {
namespace {

std::string Seconds(Clock::Duration d) {
  return FormatDecimal(std::chrono::duration<double>(d).count(), 1);
}

// Adds `"name":age` (null when it never beat) and, past the threshold, a reason.
void Judge(const char* name, std::optional<Clock::Duration> age, Clock::Duration stall_after,
           std::string& fields, std::vector<std::string>& reasons) {
  fields += ",\"";
  fields += name;
  fields += "_progress_age_s\":";
  fields += age ? Seconds(*age) : "null";
  if (!age) {
    reasons.push_back(std::string(name) + " has not started");
  } else if (*age > stall_after) {
    reasons.push_back(std::string(name) + " made no progress for " + Seconds(*age) + " s");
  }
}

}  // namespace

HealthCheck::HealthCheck(const Clock& clock, const Heartbeat& pipeline, const Heartbeat& uplink,
                         Clock::Duration stall_after)
    : clock_(clock), pipeline_(pipeline), uplink_(uplink), stall_after_(stall_after) {}

HealthVerdict HealthCheck::Check() const {
  const Clock::TimePoint now = clock_.Now();
  const bool ingest = ingest_up_.load(std::memory_order_relaxed);
  std::vector<std::string> reasons;
  if (!ingest) reasons.emplace_back("ingest is not up (a source is not connected or subscribed)");
  std::string fields = std::string(",\"ingest\":\"") + (ingest ? "up" : "down") + "\"";
  Judge("pipeline", pipeline_.Age(now), stall_after_, fields, reasons);
  if (uplink_expected_.load(std::memory_order_relaxed)) {
    Judge("uplink", uplink_.Age(now), stall_after_, fields, reasons);
  } else {
    fields += ",\"uplink\":\"not configured\"";
  }
  HealthVerdict verdict;
  verdict.healthy = reasons.empty();
  verdict.json = std::string("{\"status\":\"") + (verdict.healthy ? "ok" : "unhealthy") + "\"";
  verdict.json += fields;
  if (!verdict.healthy) {
    verdict.json += ",\"reasons\":[";
    for (size_t i = 0; i < reasons.size(); ++i) {
      if (i > 0) verdict.json += ',';
      AppendJsonString(verdict.json, reasons[i]);
    }
    verdict.json += ']';
  }
  verdict.json += "}\n";
  return verdict;
}

}  // namespace ef::daemon
