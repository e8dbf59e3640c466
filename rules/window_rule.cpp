#include "rules/window_rule.h"

#include <algorithm>

#include "rules/window_state.h"

namespace ef::rules {
namespace {

int64_t FloorTo(int64_t t, int64_t step) {
  const int64_t q = t / step;
  return (t % step != 0 && t < 0 ? q - 1 : q) * step;
}

// The stats FieldStats::Add would give for field `f` (of `n`) of samples [lo, hi), in order,
// into a cleared `stats`: one pass, then one for the variance (the same sum of squared
// deviations as Welford's, without a division per value: a sliding window is recomputed per
// event). First and last by event time as Add (a count window's samples are in arrival order).
void AccumulateRun(const Samples& samples, size_t lo, size_t hi, size_t f, size_t n,
                   FieldStats& stats) {
  for (size_t j = lo; j < hi; ++j) {
    const std::optional<double>& value = samples.values[j * n + f];
    if (!value) continue;
    const double v = *value;
    const int64_t time_ms = samples.times[j];
    if (stats.count == 0) {
      stats.min = stats.max = stats.first = stats.last = v;
      stats.first_ms = stats.last_ms = time_ms;
    }
    stats.min = std::min(stats.min, v);
    stats.max = std::max(stats.max, v);
    if (time_ms < stats.first_ms) {  // an equal time keeps arrival order
      stats.first = v;
      stats.first_ms = time_ms;
    }
    if (time_ms >= stats.last_ms) {
      stats.last = v;
      stats.last_ms = time_ms;
    }
    ++stats.count;
    stats.sum += v;
    if (stats.quantiles) stats.quantiles->Add(v);
  }
  if (stats.count == 0) return;
  stats.mean = stats.sum / static_cast<double>(stats.count);
  for (size_t j = lo; j < hi; ++j) {
    const std::optional<double>& value = samples.values[j * n + f];
    if (value) stats.m2 += (*value - stats.mean) * (*value - stats.mean);
  }
}

class WindowRule final : public Rule {
 public:
  WindowRule(const RuleSpec& spec, WindowConfig config)
      : fields_(spec.fields), lateness_ms_(spec.lateness_ms), config_(std::move(config)) {
    for (const AggregateDef* def : config_.aggregates) {
      needs_quantiles_ = needs_quantiles_ || def->needs_quantiles;
    }
    for (const std::string& field : fields_) {
      for (const AggregateDef* def : config_.aggregates) {
        names_.push_back(field + "_" + std::string(def->name));
      }
    }
    if (config_.type == WindowType::kTumbling) config_.hop_ms = config_.size_ms;
  }

  std::unique_ptr<GroupState> NewGroup() const override { return std::make_unique<WindowGroup>(); }

  Taken OnEvent(GroupState& state, const Event& event, Emitter& out) const override {
    auto& g = static_cast<WindowGroup&>(state);
    switch (config_.type) {
      case WindowType::kTumbling:
      case WindowType::kHopping: return OnTimeWindow(g, event, out);
      case WindowType::kSession: return OnSession(g, event, out);
      case WindowType::kCount: return OnCount(g, event, out);
      case WindowType::kSliding: return OnSliding(g, event, out);
    }
    return Taken::kUsed;
  }

  void Close(GroupState& state, CloseReason reason, Emitter& out) const override {
    auto& g = static_cast<WindowGroup&>(state);
    // A session closed for silence did end: its gap passed. Anything else closes early.
    const bool partial = !(config_.type == WindowType::kSession && reason == CloseReason::kIdle);
    for (const OpenWindow& w : g.open) Emit(w, partial, out);
    g.open.clear();
    g.samples.clear();
  }

  size_t Bytes(const GroupState& state) const override {
    return static_cast<const WindowGroup&>(state).Bytes();
  }
  void Encode(const GroupState& state, StateWriter& out) const override {
    static_cast<const WindowGroup&>(state).Encode(out, fields_.size());
  }
  Result<std::unique_ptr<GroupState>> Decode(StateReader& in) const override {
    auto g = std::make_unique<WindowGroup>();
    if (!g->Decode(in, fields_.size())) return Status::Corruption("bad window state");
    return std::unique_ptr<GroupState>(std::move(g));
  }

 private:
  OpenWindow NewWindow(int64_t start_ms, int64_t end_ms) const {
    OpenWindow w;
    w.start_ms = start_ms;
    w.end_ms = end_ms;
    w.fields.resize(fields_.size());
    if (needs_quantiles_) {
      for (FieldStats& f : w.fields) f.quantiles.emplace();
    }
    return w;
  }

  // `w` as NewWindow(start_ms, end_ms) would make it, keeping its memory.
  void ResetWindow(OpenWindow& w, int64_t start_ms, int64_t end_ms) const {
    w.start_ms = start_ms;
    w.end_ms = end_ms;
    w.events = 0;
    w.fields.resize(fields_.size());
    for (FieldStats& f : w.fields) {
      f.Clear();
      if (needs_quantiles_ && !f.quantiles) f.quantiles.emplace();
      if (!needs_quantiles_) f.quantiles.reset();
    }
  }

  void Add(OpenWindow& w, const Event& event) const {
    ++w.events;
    for (const Field& field : event.fields) {
      for (size_t i = 0; i < fields_.size(); ++i) {
        if (field.name != fields_[i]) continue;
        if (auto v = NumberOf(field.value)) w.fields[i].Add(*v, event.event_time_ms);
      }
    }
  }

  static void Advance(WindowGroup& g, int64_t t) {
    g.max_ms = g.seen ? std::max(g.max_ms, t) : t;
    g.seen = true;
  }

  // Windows whose end the watermark passed: emitted in order of their end.
  void CloseDue(WindowGroup& g, Emitter& out) const {
    const int64_t watermark = g.max_ms - lateness_ms_;
    while (!g.open.empty() && g.open.front().end_ms <= watermark) {
      Emit(g.open.front(), false, out);
      g.open.erase(g.open.begin());
    }
  }

  Taken OnTimeWindow(WindowGroup& g, const Event& event, Emitter& out) const {
    const int64_t t = event.event_time_ms;
    const int64_t closed_to = g.seen ? g.max_ms - lateness_ms_ : std::numeric_limits<int64_t>::min();
    bool used = false;
    for (int64_t start = FloorTo(t, config_.hop_ms); start > t - config_.size_ms;
         start -= config_.hop_ms) {
      const int64_t end = start + config_.size_ms;
      if (end <= closed_to) break;  // this window and every earlier one are closed
      auto it = std::lower_bound(g.open.begin(), g.open.end(), start,
                                 [](const OpenWindow& w, int64_t s) { return w.start_ms < s; });
      if (it == g.open.end() || it->start_ms != start) it = g.open.insert(it, NewWindow(start, end));
      Add(*it, event);
      used = true;
    }
    if (!used) return Taken::kLate;
    Advance(g, t);
    CloseDue(g, out);
    return Taken::kUsed;
  }

  Taken OnSession(WindowGroup& g, const Event& event, Emitter& out) const {
    const int64_t t = event.event_time_ms;
    if (!g.open.empty()) {
      OpenWindow& w = g.open.front();
      if (t < w.start_ms - config_.gap_ms) return Taken::kLate;  // before the open session
      const bool gap = t > w.end_ms + config_.gap_ms;
      const bool too_long = config_.max_length_ms > 0 && t - w.start_ms >= config_.max_length_ms;
      if (gap || too_long) {
        Emit(w, false, out);
        g.open.clear();
      }
    }
    if (g.open.empty()) g.open.push_back(NewWindow(t, t));
    OpenWindow& w = g.open.front();
    w.start_ms = std::min(w.start_ms, t);
    w.end_ms = std::max(w.end_ms, t);
    Add(w, event);
    Advance(g, t);
    return Taken::kUsed;
  }

  Taken OnCount(WindowGroup& g, const Event& event, Emitter& out) const {
    const int64_t t = event.event_time_ms;
    if (g.open.empty()) g.open.push_back(NewWindow(t, t));
    OpenWindow& w = g.open.front();
    w.start_ms = std::min(w.start_ms, t);
    w.end_ms = std::max(w.end_ms, t);
    Add(w, event);
    Advance(g, t);
    if (w.events >= static_cast<uint64_t>(config_.events)) {
      Emit(w, false, out);
      g.open.clear();
    }
    return Taken::kUsed;
  }

  // Inserts the event's sample at index `at` of the group's samples.
  void InsertSample(Samples& samples, size_t at, const Event& event) const {
    const size_t n = fields_.size();
    samples.times.insert(at, 1, event.event_time_ms);
    const auto first = samples.values.insert(at * n, n, std::nullopt);
    for (const Field& field : event.fields) {
      for (size_t i = 0; i < n; ++i) {
        if (field.name == fields_[i]) first[static_cast<ptrdiff_t>(i)] = NumberOf(field.value);
      }
    }
  }

  Taken OnSliding(WindowGroup& g, const Event& event, Emitter& out) const {
    const int64_t t = event.event_time_ms;
    const bool by_time = config_.size_ms > 0;
    if (by_time && g.seen && t < g.max_ms - lateness_ms_) return Taken::kLate;
    Samples& samples = g.samples;
    const size_t n = fields_.size();
    size_t at = samples.size();
    if (by_time) {
      while (at > 0 && samples.times[at - 1] > t) --at;
    }
    InsertSample(samples, at, event);
    Advance(g, t);
    if (by_time) {
      const int64_t keep_from = g.max_ms - lateness_ms_ - config_.size_ms;
      while (!samples.empty() && samples.times.front() <= keep_from) samples.PopFront(n);
    } else {
      while (samples.size() > static_cast<size_t>(config_.events)) samples.PopFront(n);
    }
    while (samples.size() > static_cast<size_t>(config_.max_samples)) samples.PopFront(n);
    EmitSliding(g, t, out);
    return Taken::kUsed;
  }

  void EmitSliding(const WindowGroup& g, int64_t t, Emitter& out) const {
    const bool by_time = config_.size_ms > 0;
    const Samples& samples = g.samples;
    const int64_t from = by_time ? t - config_.size_ms : samples.times.front();
    // By time, the samples in (from, t]: one run, as they are kept sorted by time. By count,
    // all of them (in arrival order).
    size_t lo = 0, hi = samples.size();
    if (by_time) {
      const auto& times = samples.times;
      lo = static_cast<size_t>(std::upper_bound(times.begin(), times.end(), from) - times.begin());
      hi = static_cast<size_t>(std::upper_bound(times.begin(), times.end(), t) - times.begin());
    }
    // Recomputed per event: one window per thread is reused rather than allocated each time.
    thread_local OpenWindow w;
    ResetWindow(w, from, by_time ? t : samples.times.back());
    w.events = hi - lo;
    for (size_t f = 0; f < fields_.size(); ++f) {
      AccumulateRun(samples, lo, hi, f, fields_.size(), w.fields[f]);
    }
    Emit(w, false, out);
  }

  void Emit(const OpenWindow& w, bool partial, Emitter& out) const {
    static const std::string kStart = "window_start", kEnd = "window_end", kCount = "count",
                             kPartial = "partial";
    Event& e = out.NewOutput(w.end_ms);
    e.fields.reserve((partial ? 4 : 3) + names_.size());
    e.fields.emplace_back(kStart, w.start_ms);
    e.fields.emplace_back(kEnd, w.end_ms);
    e.fields.emplace_back(kCount, static_cast<int64_t>(w.events));
    if (partial) e.fields.emplace_back(kPartial, true);
    size_t name = 0;
    for (const FieldStats& stats : w.fields) {
      for (const AggregateDef* def : config_.aggregates) {
        if (auto v = def->compute(stats)) e.fields.emplace_back(names_[name], *v);
        ++name;
      }
    }
  }

  const std::vector<std::string> fields_;
  const int64_t lateness_ms_;
  WindowConfig config_;
  bool needs_quantiles_ = false;
  std::vector<std::string> names_;  // <field>_<aggregate>, field-major
};

}  // namespace

std::unique_ptr<Rule> NewWindowRule(const RuleSpec& spec, WindowConfig config) {
  return std::make_unique<WindowRule>(spec, std::move(config));
}

}  // namespace ef::rules
