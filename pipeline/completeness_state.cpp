#include "pipeline/completeness_state.h"

#include <charconv>

namespace ef::pipeline {
namespace {

constexpr std::string_view kVersion = "v1";

// Reads space-separated integers from `text` after the version word.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {
    ok_ = text_.starts_with(kVersion);
    text_.remove_prefix(ok_ ? kVersion.size() : 0);
  }
  template <class Int>
  bool Next(Int* out) {
    if (!ok_ || !text_.starts_with(' ')) return ok_ = false;
    text_.remove_prefix(1);
    const auto [ptr, ec] = std::from_chars(text_.data(), text_.data() + text_.size(), *out);
    ok_ = ec == std::errc();
    text_.remove_prefix(static_cast<size_t>(ptr - text_.data()));
    return ok_;
  }
  bool AtEnd() const { return ok_ && text_.empty(); }

 private:
  std::string_view text_;
  bool ok_;
};

}  // namespace

std::string EncodeCheckpoint(const DeviceCheckpoint& c) {
  std::string out(kVersion);
  for (int64_t v : {c.learned_interval_ms, c.last_ms, static_cast<int64_t>(c.received),
                    static_cast<int64_t>(c.gaps), int64_t{c.silent}}) {
    out += ' ' + std::to_string(v);
  }
  for (int64_t gap : c.learning) out += ' ' + std::to_string(gap);
  return out;
}

std::optional<DeviceCheckpoint> DecodeCheckpoint(std::string_view text) {
  DeviceCheckpoint c;
  Reader in(text);
  int silent = 0;
  if (!in.Next(&c.learned_interval_ms) || !in.Next(&c.last_ms) || !in.Next(&c.received) ||
      !in.Next(&c.gaps) || !in.Next(&silent) || silent < 0 || silent > 1) {
    return std::nullopt;
  }
  c.silent = silent == 1;
  while (!in.AtEnd()) {
    int64_t gap = 0;
    if (!in.Next(&gap)) return std::nullopt;
    c.learning.push_back(gap);
  }
  return c;
}

std::string EncodeWindowEnd(int64_t end_ms) {
  return std::string(kVersion) + ' ' + std::to_string(end_ms);
}

std::optional<int64_t> DecodeWindowEnd(std::string_view text) {
  Reader in(text);
  int64_t end_ms = 0;
  if (!in.Next(&end_ms) || !in.AtEnd()) return std::nullopt;
  return end_ms;
}

}  // namespace ef::pipeline
