#include "rules/state_journal.h"

namespace ef::rules {
namespace {

constexpr uint64_t kVersion = 1;
enum ValueTag : uint64_t { kFalse = 0, kTrue = 1, kInt = 2, kDouble = 3, kText = 4 };

// Reads a string written by JournalWriter::Text: 0 is `previous`.
std::string ReadText(StateReader& in, const std::string& previous) {
  const uint64_t n = in.U64();
  return n == 0 ? previous : in.Bytes(n - 1);
}

Value ReadValue(StateReader& in, bool* ok) {
  switch (in.U64()) {
    case kFalse: return false;
    case kTrue: return true;
    case kInt: return in.I64();
    case kDouble: return in.F64();
    case kText: return in.Str();
    default: *ok = false; return false;
  }
}

}  // namespace

JournalWriter::JournalWriter(bool timer, int64_t now_ns) : timer_(timer), now_ns_(now_ns) {}

void JournalWriter::Text(std::string_view text, std::string_view previous) {
  if (previous_ != nullptr && text == previous) {
    writer_.U64(0);
    return;
  }
  writer_.U64(text.size() + 1);
  writer_.Bytes(text);
}

void JournalWriter::Add(const Event& event) {
  const Event* prev = previous_;
  Text(event.stream, prev != nullptr ? std::string_view(prev->stream) : std::string_view());
  Text(event.device_id, prev != nullptr ? std::string_view(prev->device_id) : std::string_view());
  Text(event.origin, prev != nullptr ? std::string_view(prev->origin) : std::string_view());
  // Wrapping, as unsigned: far-apart times must not overflow.
  writer_.I64(static_cast<int64_t>(static_cast<uint64_t>(event.event_time_ms) -
                                   static_cast<uint64_t>(previous_time_)));
  writer_.U64(event.fields.size());
  for (size_t i = 0; i < event.fields.size(); ++i) {
    const Field& field = event.fields[i];
    const bool has_prev = prev != nullptr && i < prev->fields.size();
    if (has_prev) {
      Text(field.name, prev->fields[i].name);
    } else {
      writer_.U64(field.name.size() + 1);
      writer_.Bytes(field.name);
    }
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, bool>) {
            writer_.U64(v ? kTrue : kFalse);
          } else if constexpr (std::is_same_v<T, int64_t>) {
            writer_.U64(kInt);
            writer_.I64(v);
          } else if constexpr (std::is_same_v<T, double>) {
            writer_.U64(kDouble);
            writer_.F64(v);
          } else {
            writer_.U64(kText);
            writer_.Str(v);
          }
        },
        field.value);
  }
  previous_ = &event;
  previous_time_ = event.event_time_ms;
  ++count_;
}

void JournalWriter::AddEviction(std::string_view rule, std::string_view key) {
  StateWriter out(&evictions_);
  out.Str(rule);
  out.Str(key);
  ++eviction_count_;
}

std::string JournalWriter::Finish() {
  writer_.U64(eviction_count_);
  writer_.Flush();
  std::string out;
  out.reserve(body_.size() + 24);
  {
    StateWriter head(&out);
    head.U64(kVersion);
    head.U64(timer_ ? 1 : 0);
    head.I64(now_ns_);
    head.U64(count_);
  }
  out.append(body_);
  out.append(evictions_);
  return out;
}

Result<JournalCall> DecodeJournalCall(std::string_view bytes) {
  StateReader in(bytes);
  if (in.U64() != kVersion) return Status::Corruption("unknown journal record version");
  JournalCall call;
  const uint64_t kind = in.U64();
  call.timer = kind == 1;
  call.now_ns = in.I64();
  const uint64_t count = in.Count(5);  // at least 3 strings, a time and a field count
  bool ok = in.ok() && kind <= 1 && (!call.timer || count == 0);
  int64_t time = 0;
  call.events.reserve(count);
  for (uint64_t i = 0; i < count && ok && in.ok(); ++i) {
    const Event* prev = call.events.empty() ? nullptr : &call.events.back();
    static const Event kNone;
    if (prev == nullptr) prev = &kNone;
    Event e;
    e.stream = ReadText(in, prev->stream);
    e.device_id = ReadText(in, prev->device_id);
    e.origin = ReadText(in, prev->origin);
    time = static_cast<int64_t>(static_cast<uint64_t>(time) + static_cast<uint64_t>(in.I64()));
    e.event_time_ms = time;
    const uint64_t fields = in.Count(2);
    e.fields.reserve(fields);
    for (uint64_t f = 0; f < fields && ok && in.ok(); ++f) {
      const std::string none;
      const std::string& prev_name = f < prev->fields.size() ? prev->fields[f].name : none;
      std::string name = ReadText(in, prev_name);
      e.fields.push_back({std::move(name), ReadValue(in, &ok)});
    }
    call.events.push_back(std::move(e));
  }
  const uint64_t evictions = in.Count(2);
  for (uint64_t i = 0; i < evictions && ok && in.ok(); ++i) {
    std::string rule = in.Str();
    call.evictions.push_back({std::move(rule), in.Str()});
  }
  if (!ok || !in.ok() || !in.done()) return Status::Corruption("bad journal record");
  return call;
}

}  // namespace ef::rules
