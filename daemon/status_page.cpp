#include "daemon/status_page.h"

#include <algorithm>
#include <ctime>
#include <initializer_list>

#include "core/json.h"

namespace ef::daemon {
namespace {

constexpr int kWidth = 600, kHeight = 120;

void AppendEscaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

std::string Num(double v) {
  std::string s = FormatDecimal(v, 1);
  if (s.ends_with(".0")) s.resize(s.size() - 2);
  return s;
}

const MetricFamily* Find(const std::vector<MetricFamily>& families, std::string_view name) {
  for (const MetricFamily& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

double ValueOf(const MetricSeries& s) {
  if (const auto* c = std::get_if<uint64_t>(&s.value)) return static_cast<double>(*c);
  if (const auto* g = std::get_if<double>(&s.value)) return *g;
  return 0;
}

// Label `label` of the series, "" when absent.
std::string LabelOf(const MetricSeries& s, std::string_view label) {
  for (const auto& [name, value] : s.labels) {
    if (name == label) return value;
  }
  return {};
}

// name -> (label value -> value) for one family.
std::map<std::string, double> ByLabel(const std::vector<MetricFamily>& families,
                                      std::string_view name, std::string_view label) {
  std::map<std::string, double> out;
  if (const MetricFamily* f = Find(families, name)) {
    for (const MetricSeries& s : f->series) out[LabelOf(s, label)] = ValueOf(s);
  }
  return out;
}

void AppendDepthChart(std::string& out, const std::vector<DepthSample>& history,
                      int64_t now_ms) {
  double top = 1;
  for (const DepthSample& s : history) {
    for (const auto& [stream, v] : s.events_by_stream) top = std::max(top, v);
  }
  std::map<std::string, std::string> lines;
  const double hour_ms = 3600.0 * 1000;
  for (const DepthSample& s : history) {
    const double x = kWidth * (1 - std::clamp((now_ms - s.wall_ms) / hour_ms, 0.0, 1.0));
    for (const auto& [stream, v] : s.events_by_stream) {
      lines[stream] += Num(x) + "," + Num(kHeight - kHeight * v / top) + " ";
    }
  }
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kWidth) +
         "\" height=\"" + std::to_string(kHeight + 20) + "\" role=\"img\">"
         "<rect width=\"100%\" height=\"" + std::to_string(kHeight) +
         "\" fill=\"#f6f6f6\"/><text x=\"2\" y=\"12\" font-size=\"11\">" + Num(top) +
         " events</text><text x=\"2\" y=\"" + std::to_string(kHeight + 14) +
         "\" font-size=\"11\">-60 min</text><text x=\"" + std::to_string(kWidth - 30) + "\" y=\"" +
         std::to_string(kHeight + 14) + "\" font-size=\"11\">now</text>";
  static constexpr const char* kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};
  size_t i = 0;
  for (const auto& [stream, points] : lines) {
    out += "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"";
    out += kColours[i++ % 4];
    out += "\" points=\"" + points + "\"><title>";
    AppendEscaped(out, stream);
    out += "</title></polyline>";
  }
  out += "</svg>\n";
}

void AppendStreams(std::string& out, const std::vector<MetricFamily>& f) {
  const auto events = ByLabel(f, "edgeferry_queue_events", "stream");
  const auto age = ByLabel(f, "edgeferry_queue_oldest_age_seconds", "stream");
  const auto uplinked = ByLabel(f, "edgeferry_events_uplinked_total", "stream");
  const auto dropped = ByLabel(f, "edgeferry_events_dropped_total", "stream");
  const auto expired = ByLabel(f, "edgeferry_events_expired_total", "stream");
  const auto rejected = ByLabel(f, "edgeferry_events_rejected_total", "stream");
  const auto dead = ByLabel(f, "edgeferry_events_dead_lettered_total", "stream");
  out += "<table><tr><th>stream</th><th>waiting</th><th>oldest</th><th>uplinked</th>"
         "<th>dropped</th><th>rejected</th><th>expired</th><th>dead letters</th></tr>\n";
  const auto cell = [&](const std::map<std::string, double>& m, const std::string& k) {
    const auto it = m.find(k);
    return "<td>" + (it == m.end() ? std::string("0") : Num(it->second)) + "</td>";
  };
  for (const auto& [stream, n] : events) {
    out += "<tr><td>";
    AppendEscaped(out, stream);
    out += "</td>" + cell(events, stream) + "<td>" + Num(age.count(stream) ? age.at(stream) : 0) +
           " s</td>" + cell(uplinked, stream) + cell(dropped, stream) + cell(rejected, stream) +
           cell(expired, stream) + cell(dead, stream) + "</tr>\n";
  }
  out += "</table>\n";
}

void AppendDevices(std::string& out, const std::vector<MetricFamily>& f, int64_t now_ms) {
  const auto seen = ByLabel(f, "edgeferry_device_last_seen_timestamp_seconds", "device");
  const auto ratio = ByLabel(f, "edgeferry_device_completeness_ratio", "device");
  out += "<table><tr><th>device</th><th>last seen</th><th>completeness</th></tr>\n";
  for (const auto& [device, at] : seen) {
    out += "<tr><td>";
    AppendEscaped(out, device);
    out += "</td><td>" + Num(std::max(0.0, static_cast<double>(now_ms) / 1000.0 - at)) +
           " s ago</td><td>" +
           (ratio.count(device) ? Num(100 * ratio.at(device)) + " %" : std::string("-")) +
           "</td></tr>\n";
  }
  out += "</table>\n";
}

// "2026-11-30 04:40:12Z"
std::string UtcTime(int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

// A table with `header`'s columns and a row of (escaped) cells per entry, or "none".
template <class Row, class Cells>
void AppendList(std::string& out, std::string_view id, std::initializer_list<const char*> header,
                const std::vector<Row>& rows, Cells cells) {
  if (rows.empty()) {
    out += "<p id=\"" + std::string(id) + "\">none</p>\n";
    return;
  }
  out += "<table id=\"" + std::string(id) + "\"><tr>";
  for (const char* name : header) out += std::string("<th>") + name + "</th>";
  out += "</tr>\n";
  for (const Row& row : rows) {
    out += "<tr>";
    for (const std::string& cell : cells(row)) {
      out += "<td>";
      AppendEscaped(out, cell);
      out += "</td>";
    }
    out += "</tr>\n";
  }
  out += "</table>\n";
}

void AppendAlerts(std::string& out, const std::vector<pipeline::EventSummary>& alerts) {
  AppendList(out, "alerts", {"time", "device", "alert", "severity", "state", "message"}, alerts,
             [](const pipeline::EventSummary& a) {
               return std::vector<std::string>{UtcTime(a.time_ms), a.device, a.name, a.severity,
                                               a.state, a.message};
             });
}

void AppendDeadLetters(std::string& out, const std::vector<storage::DeadLetterRow>& rows) {
  AppendList(out, "dead-letters", {"dead since", "stream", "device", "reason", "id"}, rows,
             [](const storage::DeadLetterRow& d) {
               return std::vector<std::string>{UtcTime(d.dead_time_ms), d.event.stream,
                                               d.event.device_id, d.reason,
                                               std::to_string(d.id)};
             });
}

}  // namespace

void QueueHistory::Add(int64_t wall_ms, const std::vector<MetricFamily>& families) {
  DepthSample sample{wall_ms, ByLabel(families, "edgeferry_queue_events", "stream")};
  std::lock_guard lock(mu_);
  samples_.push_back(std::move(sample));
  while (samples_.size() > capacity_) samples_.pop_front();
}

std::vector<DepthSample> QueueHistory::Samples() const {
  std::lock_guard lock(mu_);
  return {samples_.begin(), samples_.end()};
}

std::string RenderStatusPage(const StatusPageInputs& in, const StatusLists& lists) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>edgeferry ";
  AppendEscaped(out, in.gateway_id);
  out += "</title><style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}"
         ".ok{color:#080}.bad{color:#c00}</style></head><body>\n<h1>edgeferry ";
  AppendEscaped(out, in.gateway_id);
  out += "</h1>\n<p id=\"health\" class=\"" + std::string(in.health.healthy ? "ok" : "bad") +
         "\">health: ";
  AppendEscaped(out, in.health.json);
  const MetricFamily* connected = Find(in.families, "edgeferry_uplink_connected");
  const bool up = connected && !connected->series.empty() && ValueOf(connected->series[0]) > 0;
  out += "</p>\n<p id=\"uplink\">uplink: " + std::string(up ? "connected" : "not connected") +
         "</p>\n<h2>Queue depth, last hour</h2>\n";
  std::vector<DepthSample> history = in.history;  // and the present, from the snapshot
  history.push_back({in.now_ms, ByLabel(in.families, "edgeferry_queue_events", "stream")});
  AppendDepthChart(out, history, in.now_ms);
  out += "<h2>Streams</h2>\n";
  AppendStreams(out, in.families);
  out += "<h2>Devices</h2>\n";
  AppendDevices(out, in.families, in.now_ms);
  out += "<h2>Recent alerts</h2>\n";
  AppendAlerts(out, lists.alerts);
  out += "<h2>Recent dead letters</h2>\n";
  AppendDeadLetters(out, lists.dead_letters);
  out += "<p>All dead letters: <code>edgeferry queue dlq list</code>.</p>\n</body></html>\n";
  return out;
}

}  // namespace ef::daemon
