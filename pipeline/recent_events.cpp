#include "pipeline/recent_events.h"

#include <array>
#include <string_view>
#include <utility>

#include "core/json.h"

namespace ef::pipeline {
namespace {

// Which field (or payload member) fills which part of the summary; the first name found wins.
struct Key {
  std::string EventSummary::*part;
  std::array<std::string_view, 3> names;
};
constexpr std::array<Key, 4> kKeys = {{
    {&EventSummary::name, {"name", "alert", "rule"}},
    {&EventSummary::severity, {"severity", "level", "priority"}},
    {&EventSummary::state, {"state", "status", "transition"}},
    {&EventSummary::message, {"message", "text", "description"}},
}};

using Members = std::vector<std::pair<std::string, std::string>>;

std::string AsText(const Value& value) {
  struct Visitor {
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return FormatDecimal(v, 3); }
    std::string operator()(const std::string& v) const { return v; }
  };
  return std::visit(Visitor{}, value);
}

// Fills the parts of `summary` still empty from `members`. True when all are filled.
bool Fill(EventSummary& summary, const Members& members) {
  bool complete = true;
  for (const Key& key : kKeys) {
    std::string& part = summary.*key.part;
    for (size_t i = 0; i < key.names.size() && part.empty(); ++i) {
      for (const auto& [name, text] : members) {
        if (name == key.names[i]) {
          part = text;
          break;
        }
      }
    }
    complete = complete && !part.empty();
  }
  return complete;
}

}  // namespace

EventSummary Summarize(const Event& event) {
  EventSummary summary;
  summary.time_ms = event.event_time_ms != 0 ? event.event_time_ms : event.ingest_time_ms;
  summary.device = event.device_id;
  Members fields;
  for (const Field& field : event.fields) fields.emplace_back(field.name, AsText(field.value));
  if (!Fill(summary, fields) && event.format == PayloadFormat::kJson) {
    Fill(summary, JsonScalarMembers(event.payload));
  }
  return summary;
}

void RecentEventLog::Add(EventSummary summary) {
  std::lock_guard lock(mu_);
  kept_.push_back(std::move(summary));
  while (kept_.size() > capacity_) kept_.pop_front();
}

std::vector<EventSummary> RecentEventLog::Latest() const {
  std::lock_guard lock(mu_);
  return {kept_.rbegin(), kept_.rend()};
}

RecentEvents::RecentEvents(std::string stream, RecentEventLog& log)
    : stream_(std::move(stream)), name_("recent-" + stream_), log_(log) {}

void RecentEvents::Process(StageGroup& group) {
  for (const Event& event : group.events) {
    if (event.stream == stream_) log_.Add(Summarize(event));
  }
}

}  // namespace ef::pipeline
