#include "rules/window_rule.h"

#include <algorithm>

#include "rules/window_state.h"

namespace ef::rules {
namespace {

int64_t FloorTo(int64_t t, int64_t step) {
  const int64_t q = t / step;
  return (t % step != 0 && t < 0 ? q - 1 : q) * step;
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
    static_cast<const WindowGroup&>(state).Encode(out);
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

  Sample SampleOf(const Event& event) const {
    Sample s;
    s.time_ms = event.event_time_ms;
    s.values.resize(fields_.size());
    for (const Field& field : event.fields) {
      for (size_t i = 0; i < fields_.size(); ++i) {
        if (field.name == fields_[i]) s.values[i] = NumberOf(field.value);
      }
    }
    return s;
  }

  Taken OnSliding(WindowGroup& g, const Event& event, Emitter& out) const {
    const int64_t t = event.event_time_ms;
    const bool by_time = config_.size_ms > 0;
    if (by_time && g.seen && t < g.max_ms - lateness_ms_) return Taken::kLate;
    auto at = g.samples.end();
    if (by_time) {
      while (at != g.samples.begin() && std::prev(at)->time_ms > t) --at;
    }
    g.samples.insert(at, SampleOf(event));
    Advance(g, t);
    if (by_time) {
      const int64_t keep_from = g.max_ms - lateness_ms_ - config_.size_ms;
      while (!g.samples.empty() && g.samples.front().time_ms <= keep_from) g.samples.pop_front();
    } else {
      while (g.samples.size() > static_cast<size_t>(config_.events)) g.samples.pop_front();
    }
    while (g.samples.size() > static_cast<size_t>(config_.max_samples)) g.samples.pop_front();
    EmitSliding(g, t, out);
    return Taken::kUsed;
  }

  void EmitSliding(const WindowGroup& g, int64_t t, Emitter& out) const {
    const bool by_time = config_.size_ms > 0;
    const int64_t from = by_time ? t - config_.size_ms : g.samples.front().time_ms;
    OpenWindow w = NewWindow(from, by_time ? t : g.samples.back().time_ms);
    for (const Sample& s : g.samples) {
      if (by_time && (s.time_ms <= from || s.time_ms > t)) continue;
      ++w.events;
      for (size_t i = 0; i < s.values.size(); ++i) {
        if (s.values[i]) w.fields[i].Add(*s.values[i], s.time_ms);
      }
    }
    Emit(w, false, out);
  }

  void Emit(const OpenWindow& w, bool partial, Emitter& out) const {
    Event& e = out.NewOutput(w.end_ms);
    e.fields.reserve(4 + names_.size());
    e.fields.push_back({"window_start", w.start_ms});
    e.fields.push_back({"window_end", w.end_ms});
    e.fields.push_back({"count", static_cast<int64_t>(w.events)});
    if (partial) e.fields.push_back({"partial", true});
    size_t name = 0;
    for (const FieldStats& stats : w.fields) {
      for (const AggregateDef* def : config_.aggregates) {
        if (auto v = def->compute(stats)) e.fields.push_back({names_[name], *v});
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
