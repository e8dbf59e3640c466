// StateWriter / StateReader: the compact binary form of a rule group's checkpoint.
//
// Unsigned varints (LEB128), zigzag signed varints, doubles as their 8 IEEE-754 bytes
// (little-endian, so NaN and infinities survive) and length-prefixed strings. The reader never
// reads outside its input: a short or malformed input makes ok() false and every later read
// return zero values, so a decoder checks ok() once at its end.
//
// Plain values, not thread-safe; one per encoding or decoding.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ef::rules {

class StateWriter {
 public:
  explicit StateWriter(std::string* out) : out_(*out) {}
  void U64(uint64_t v);
  void I64(int64_t v) { U64((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void F64(double v);
  void Str(std::string_view s);
  void Bool(bool b) { out_.push_back(b ? '\1' : '\0'); }

 private:
  std::string& out_;
};

class StateReader {
 public:
  explicit StateReader(std::string_view in) : in_(in) {}
  uint64_t U64();
  int64_t I64() {
    const uint64_t v = U64();
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  }
  double F64();
  std::string Str();
  bool Bool();
  // A count about to be used to size a container: rejected (ok() false, 0 returned) when it
  // exceeds what the rest of the input could hold at `min_bytes` each.
  uint64_t Count(size_t min_bytes);
  bool ok() const { return ok_; }
  bool done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace ef::rules
