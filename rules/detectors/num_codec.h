// NumWriter / NumReader: a detector's checkpoint, a kind tag followed by numbers, in the rules
// engine's compact binary form (rules/state_codec.h: doubles as their 8 IEEE-754 bytes, so a
// restored detector continues bit-for-bit; integers as zigzag varints). The tag makes bytes
// of another detector kind fail to load instead of being misread. Plain values, not
// thread-safe.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "rules/state_codec.h"

namespace ef::rules {

class NumWriter {
 public:
  // `reserve`: the bytes expected, to allocate once.
  explicit NumWriter(std::string_view tag, size_t reserve = 0) : writer_(&out_) {
    out_.reserve(reserve);
    writer_.Str(tag);
  }
  NumWriter& Num(double value) {
    writer_.F64(value);
    return *this;
  }
  NumWriter& Int(int64_t value) {
    writer_.I64(value);
    return *this;
  }
  // `n` doubles as one length-prefixed block of their little-endian IEEE-754 bytes (one copy
  // on a little-endian host).
  NumWriter& Doubles(const double* values, size_t n) {
    if constexpr (std::endian::native == std::endian::little) {
      writer_.Str(std::string_view(reinterpret_cast<const char*>(values), 8 * n));
    } else {
      std::string bytes;
      {
        StateWriter block(&bytes);  // buffers: complete once destroyed
        for (size_t i = 0; i < n; ++i) block.F64(values[i]);
      }
      writer_.Str(bytes);
    }
    return *this;
  }
  // Length-prefixed raw bytes.
  NumWriter& Bytes(std::string_view bytes) {
    writer_.Str(bytes);
    return *this;
  }
  // The checkpoint; the writer buffers, so it is flushed first.
  std::string Take() {
    writer_.Flush();
    return std::move(out_);
  }

 private:
  std::string out_;
  StateWriter writer_;
};

// Reads what NumWriter wrote. Every read after a failure (wrong tag, short input) returns 0;
// ok() tells at the end whether all went well.
class NumReader {
 public:
  NumReader(std::string_view bytes, std::string_view tag) : reader_(bytes) {
    tag_ok_ = reader_.Str() == tag;
  }
  double Num() { return tag_ok_ ? reader_.F64() : 0.0; }
  int64_t Int() { return tag_ok_ ? reader_.I64() : 0; }
  std::string Bytes() { return tag_ok_ ? reader_.Str() : std::string(); }
  // What Doubles() wrote, appended to `out`; false when the block is malformed.
  bool Doubles(std::vector<double>& out) {
    const std::string bytes = Bytes();
    if (bytes.size() % 8 != 0) return false;
    StateReader block(bytes);
    for (size_t i = 0; i < bytes.size() / 8; ++i) out.push_back(block.F64());
    return block.ok();
  }
  // True when the tag matched, every number was there and nothing is left over.
  bool ok() const { return tag_ok_ && reader_.ok() && reader_.done(); }
  // True while nothing failed yet (for loops that must stop early).
  bool good() const { return tag_ok_ && reader_.ok(); }

 private:
  StateReader reader_;
  bool tag_ok_ = false;
};

}  // namespace ef::rules
