#include "rules/window_state.h"

namespace ef::rules {
namespace {
// 1: sample times absolute. 2: each sample's time is the difference to the previous one's,
// and a sample is written in one piece (checkpoints of sliding windows were most of the
// engine's time). Both are read.
constexpr uint64_t kVersion = 2;

}

size_t WindowGroup::Bytes() const {
  size_t bytes = sizeof(*this);
  for (const OpenWindow& w : open) {
    bytes += sizeof(w);
    for (const FieldStats& f : w.fields) bytes += f.Bytes();
  }
  // What is held, not the vectors' capacity: a group restored from a snapshot must weigh
  // what the live one did, or a replay would evict differently.
  bytes += samples.times.size() * sizeof(int64_t) +
           samples.values.size() * sizeof(std::optional<double>);
  return bytes;
}

void WindowGroup::Encode(StateWriter& out, size_t fields) const {
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
  int64_t previous_ms = 0;
  auto value = samples.values.begin();
  for (const int64_t time_ms : samples.times) {
    out.I64(time_ms - previous_ms);
    previous_ms = time_ms;
    const auto end = value + static_cast<ptrdiff_t>(fields);
    for (; value != end; ++value) {
      out.Bool(value->has_value());
      if (*value) out.F64(**value);
    }
  }
}

bool WindowGroup::Decode(StateReader& in, size_t fields) {
  const uint64_t version = in.U64();
  if (version != 1 && version != 2) return false;
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
  int64_t previous_ms = 0;
  for (uint64_t i = 0; i < count && in.ok(); ++i) {
    const int64_t time_ms = in.I64() + (version == 2 ? previous_ms : 0);
    samples.times.push_back(time_ms);
    previous_ms = time_ms;
    for (size_t f = 0; f < fields; ++f) {
      auto& v = samples.values.emplace_back();
      if (in.Bool()) v = in.F64();
    }
  }
  return in.ok() && in.done();
}

}  // namespace ef::rules
