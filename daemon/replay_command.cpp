#include "daemon/replay_command.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "core/clock.h"
#include "core/metrics.h"
#include "daemon/replay_csv.h"
#include "daemon/replay_labels.h"
#include "daemon/replay_plot.h"
#include "rules/rule_kinds.h"
#include "rules/rule_loader.h"
#include "rules/rules_stage.h"

namespace ef::daemon {
namespace {

struct ReplayArgs {
  std::string rules, csv, out, plot, labels;
  std::string time_column = "timestamp";
  std::string value_column = "value";
  std::string field;  // default: value_column
  std::string device = "replay";
};

constexpr char kReplayUsage[] =
    "usage: edgeferry replay --rules FILE|DIR --csv IN --out OUT [--time-column timestamp]\n"
    "                        [--value-column value] [--field NAME] [--device ID]\n"
    "                        [--plot FILE.svg] [--labels combined_windows.json]\n";

std::optional<std::string> ParseReplayArgs(const std::vector<std::string>& words,
                                           ReplayArgs* out) {
  const std::map<std::string, std::string ReplayArgs::*> kOptions = {
      {"--rules", &ReplayArgs::rules},          {"--csv", &ReplayArgs::csv},
      {"--out", &ReplayArgs::out},              {"--plot", &ReplayArgs::plot},
      {"--labels", &ReplayArgs::labels},        {"--time-column", &ReplayArgs::time_column},
      {"--value-column", &ReplayArgs::value_column}, {"--field", &ReplayArgs::field},
      {"--device", &ReplayArgs::device},
  };
  for (size_t i = 0; i < words.size(); ++i) {
    const auto it = kOptions.find(words[i]);
    if (it == kOptions.end()) return "unexpected argument '" + words[i] + "'";
    if (i + 1 >= words.size()) return words[i] + " needs a value";
    out->*(it->second) = words[++i];
  }
  if (out->rules.empty() || out->csv.empty() || out->out.empty()) {
    return "--rules, --csv and --out are required";
  }
  if (out->field.empty()) out->field = out->value_column;
  return std::nullopt;
}

std::vector<std::string> LoadRules(const std::string& path, rules::RuleSet* set) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return rules::LoadRuleDir(path, rules::BuiltinRuleKinds(), false, set);
  }
  std::ifstream in(path);
  if (!in) return {path + ": cannot open"};
  std::stringstream text;
  text << in.rdbuf();
  return rules::LoadRuleText(text.str(), path, rules::BuiltinRuleKinds(), set);
}

std::string StateField(const Event& e) {
  for (const Field& f : e.fields) {
    if (f.name == "state") {
      if (const auto* s = std::get_if<std::string>(&f.value)) return *s;
    }
  }
  return "";
}

// What the replay learns from the engine's outputs, per row.
struct Marks {
  std::vector<uint8_t> raised, cleared;
  size_t raised_total = 0, cleared_total = 0, other_outputs = 0;
};

// Drives the engine over the rows: a batch of rows per group (cut before any timer the engine
// wants and before any gap as long as the shortest idle timeout), timers in between.
class Driver {
 public:
  Driver(rules::RulesStage& stage, const ReplaySeries& series, const ReplayArgs& args,
         int64_t shortest_idle_ms)
      : stage_(stage), series_(series), args_(args), shortest_idle_ms_(shortest_idle_ms) {
    marks_.raised.assign(series.rows.size(), 0);
    marks_.cleared.assign(series.rows.size(), 0);
  }

  Marks Run() {
    constexpr size_t kBatch = 256;
    size_t begin = 0;
    while (begin < series_.rows.size()) {
      FireTimersBefore(series_.rows[begin].t_ms, begin);
      size_t end = begin + 1;
      while (end < series_.rows.size() && end - begin < kBatch &&
             !CutBefore(end)) {
        ++end;
      }
      ProcessRows(begin, end);
      begin = end;
    }
    return marks_;
  }

 private:
  static Clock::TimePoint At(int64_t t_ms) {
    return Clock::TimePoint(std::chrono::milliseconds(t_ms));
  }

  bool CutBefore(size_t row) const {
    const int64_t t = series_.rows[row].t_ms;
    if (At(t) >= stage_.NextTimer()) return true;
    return shortest_idle_ms_ > 0 && t - series_.rows[row - 1].t_ms >= shortest_idle_ms_;
  }

  void FireTimersBefore(int64_t t_ms, size_t next_row) {
    while (stage_.NextTimer() <= At(t_ms)) {
      const Clock::TimePoint when = stage_.NextTimer();
      std::vector<Event> events;
      std::vector<StateEntry> state;
      const int64_t wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                               when.time_since_epoch()).count();
      StageGroup group{events, state, when, wall};
      stage_.OnTimer(group);
      Collect(events, next_row, next_row + 1);
    }
  }

  void ProcessRows(size_t begin, size_t end) {
    std::vector<Event> events;
    events.reserve(end - begin);
    for (size_t i = begin; i < end; ++i) {
      const ReplayRow& row = series_.rows[i];
      if (!row.value) continue;
      Event e;
      e.stream = "telemetry";
      e.device_id = args_.device;
      e.origin = "replay/" + args_.device;
      e.event_time_ms = e.ingest_time_ms = row.t_ms;
      e.format = PayloadFormat::kJson;
      e.fields.push_back({args_.field, *row.value});
      events.push_back(std::move(e));
    }
    std::vector<StateEntry> state;  // replay keeps no checkpoint
    const int64_t last = series_.rows[end - 1].t_ms;
    StageGroup group{events, state, At(last), last};
    stage_.Process(group);
    Collect(events, begin, end);
  }

  // Marks the rows of [begin, end) where the engine's alert outputs fall: the first row at or
  // after the alert's event time (the last row of the range when none).
  void Collect(const std::vector<Event>& events, size_t begin, size_t end) {
    for (const Event& e : events) {
      if (!e.origin.starts_with("rule/")) continue;
      const std::string state = StateField(e);
      if (state != "raised" && state != "cleared") {
        if (state.empty()) ++marks_.other_outputs;
        continue;
      }
      size_t row = std::min(end, series_.rows.size()) - 1;
      for (size_t i = begin; i < std::min(end, series_.rows.size()); ++i) {
        if (series_.rows[i].t_ms >= e.event_time_ms) {
          row = i;
          break;
        }
      }
      if (state == "raised") {
        marks_.raised[row] = 1;
        ++marks_.raised_total;
      } else {
        marks_.cleared[row] = 1;
        ++marks_.cleared_total;
      }
    }
  }

  rules::RulesStage& stage_;
  const ReplaySeries& series_;
  const ReplayArgs& args_;
  const int64_t shortest_idle_ms_;
  Marks marks_;
};

bool WriteOutput(const std::string& path, const ReplaySeries& series, const Marks& marks) {
  std::ofstream out(path);
  if (!out) return false;
  out << "timestamp,value,anomaly_score,alert_active\n";
  bool active = false;
  for (size_t i = 0; i < series.rows.size(); ++i) {
    if (marks.raised[i]) active = true;
    if (marks.cleared[i] && !marks.raised[i]) active = false;
    out << series.rows[i].time_text << ',' << series.rows[i].value_text << ','
        << (marks.raised[i] ? "1.0" : "0.0") << ',' << (active ? 1 : 0) << '\n';
    if (marks.cleared[i] && marks.raised[i]) active = false;  // raised and cleared on one row
  }
  return static_cast<bool>(out.flush());
}

int WritePlot(const ReplayArgs& args, const ReplaySeries& series, const Marks& marks) {
  PlotSeries plot;
  plot.title = args.csv;
  for (size_t i = 0; i < series.rows.size(); ++i) {
    plot.t_ms.push_back(series.rows[i].t_ms);
    plot.value.push_back(series.rows[i].value.value_or(std::nan("")));
    if (marks.raised[i]) plot.raised.push_back(i);
    if (marks.cleared[i]) plot.cleared.push_back(i);
  }
  if (!args.labels.empty()) {
    auto labels = ReadLabelWindows(args.labels, args.csv);
    if (!labels.ok()) {
      std::fprintf(stderr, "edgeferry replay: %s\n", labels.status().message().c_str());
      return 1;
    }
    plot.labels = std::move(labels.value());
  }
  std::ofstream out(args.plot);
  out << RenderPlotSvg(plot);
  if (!out.flush()) {
    std::fprintf(stderr, "edgeferry replay: %s: cannot write\n", args.plot.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int RunReplayCommand(const std::vector<std::string>& words) {
  ReplayArgs args;
  if (auto error = ParseReplayArgs(words, &args)) {
    std::fprintf(stderr, "edgeferry replay: %s\n\n%s", error->c_str(), kReplayUsage);
    return 2;
  }
  rules::RuleSet set;
  const std::vector<std::string> errors = LoadRules(args.rules, &set);
  for (const std::string& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
  if (!errors.empty()) return 1;
  auto series = ReadReplayCsv(args.csv, args.time_column, args.value_column);
  if (!series.ok()) {
    std::fprintf(stderr, "edgeferry replay: %s\n", series.status().message().c_str());
    return 1;
  }
  int64_t shortest_idle_ms = 0;
  for (const rules::LoadedRule& r : set.rules) {
    const int64_t idle = r.spec.idle_timeout_ms;
    if (idle > 0) shortest_idle_ms = shortest_idle_ms == 0 ? idle : std::min(shortest_idle_ms, idle);
  }
  MetricsRegistry metrics;
  rules::RulesStage stage(std::move(set), metrics);
  const SystemClock clock;  // only to report the replay's speed; the rules never see it
  const Clock::TimePoint started = clock.Now();
  const Marks marks = Driver(stage, *series, args, shortest_idle_ms).Run();
  const double seconds = std::chrono::duration<double>(clock.Now() - started).count();
  if (!WriteOutput(args.out, *series, marks)) {
    std::fprintf(stderr, "edgeferry replay: %s: cannot write\n", args.out.c_str());
    return 1;
  }
  if (!args.plot.empty() && WritePlot(args, *series, marks) != 0) return 1;
  const size_t rows = series->rows.size();
  std::fprintf(stderr,
               "edgeferry replay: %zu rows in %.3f s (%.0f rows/s), %zu alerts raised, %zu "
               "cleared, %zu other rule outputs, %zu rows without a number\n",
               rows, seconds, seconds > 0 ? static_cast<double>(rows) / seconds : 0.0,
               marks.raised_total, marks.cleared_total, marks.other_outputs,
               series->bad_values);
  return 0;
}

}  // namespace ef::daemon
