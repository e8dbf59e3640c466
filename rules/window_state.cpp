#include "rules/window_state.h"

namespace ef::rules {
namespace {
constexpr uint64_t kVersion = 1;
}

size_t WindowGroup::Bytes() const {
  size_t bytes = sizeof(*this);
  for (const OpenWindow& w : open) {
    bytes += sizeof(w);
    for (const FieldStats& f : w.fields) bytes += f.Bytes();
  }
  for (const Sample& s : samples) bytes += sizeof(s) + s.values.size() * 16;
  return bytes;
}

void WindowGroup::Encode(StateWriter& out) const {
  out.U64(kVersion);
  out.Bool(seen);
  out.I64(max_ms);
  out.U64(open.size());
  for (const OpenWindow& w : open) {
    out.I64(w.start_ms);
    out.I64(w.end_ms);
    out.U64(w.events);
    for (const FieldStats& f : w.fields) f.Encode(out);
  }
  out.U64(samples.size());
  for (const Sample& s : samples) {
    out.I64(s.time_ms);
    for (const auto& v : s.values) {
      out.Bool(v.has_value());
      if (v) out.F64(*v);
    }
  }
}

bool WindowGroup::Decode(StateReader& in, size_t fields) {
  if (in.U64() != kVersion) return false;
  seen = in.Bool();
  max_ms = in.I64();
  const uint64_t windows = in.Count(3);
  for (uint64_t i = 0; i < windows && in.ok(); ++i) {
    OpenWindow& w = open.emplace_back();
    w.start_ms = in.I64();
    w.end_ms = in.I64();
    w.events = in.U64();
    w.fields.resize(fields);
    for (FieldStats& f : w.fields) {
      if (!f.Decode(in)) return false;
    }
  }
  const uint64_t count = in.Count(1);
  for (uint64_t i = 0; i < count && in.ok(); ++i) {
    Sample& s = samples.emplace_back();
    s.time_ms = in.I64();
    s.values.resize(fields);
    for (auto& v : s.values) {
      if (in.Bool()) v = in.F64();
    }
  }
  return in.ok() && in.done();
}

}  // namespace ef::rules
