// StateWriter / StateReader: the compact binary form of a rule group's checkpoint.
//
// Unsigned varints (LEB128), zigzag signed varints, doubles as their 8 IEEE-754 bytes
// (little-endian, so NaN and infinities survive) and length-prefixed strings. The reader never
// reads outside its input: a short or malformed input makes ok() false and every later read
// return zero values, so a decoder checks ok() once at its end.
//
// Plain values, not thread-safe; one per encoding or decoding.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ef::rules {

// Writes go to a small buffer inside the writer, moved to `out` when it fills, on Flush()
// and when the writer is destroyed: read `out` only after either. Inline and buffered
// because a checkpoint is many small values, and a string append per value was a tenth of
// the engine's time (bench/README.md).
class StateWriter {
 public:
  explicit StateWriter(std::string* out) : out_(*out) {}
  ~StateWriter() { Flush(); }
  StateWriter(const StateWriter&) = delete;
  StateWriter& operator=(const StateWriter&) = delete;

  void U64(uint64_t v) {
    char* p = Room(10);
    while (v >= 0x80) {
      *p++ = static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    *p++ = static_cast<char>(v);
    used_ = static_cast<size_t>(p - buffer_);
  }
  void I64(int64_t v) { U64((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void F64(double v) {
    uint64_t bits = std::bit_cast<uint64_t>(v);
    char* p = Room(8);
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(p, &bits, 8);
    } else {
      for (int i = 0; i < 8; ++i, bits >>= 8) p[i] = static_cast<char>(bits & 0xff);
    }
    used_ += 8;
  }
  void Str(std::string_view s);
  // The bytes alone, without their length (the caller wrote it). Short ones (names, device
  // ids) go through the buffer, long ones straight to the output.
  void Bytes(std::string_view s) {
    if (s.size() > kShort) {
      Flush();
      out_.append(s);
      return;
    }
    if (used_ + s.size() > sizeof buffer_) Flush();
    std::memcpy(buffer_ + used_, s.data(), s.size());
    used_ += s.size();
  }
  void Bool(bool b) { *Room(1) = b ? '\1' : '\0'; ++used_; }
  // Moves what is buffered to the output string.
  void Flush() {
    out_.append(buffer_, used_);
    used_ = 0;
  }

 private:
  // Where the next `n` (<= 16) bytes go.
  char* Room(size_t n) {
    if (used_ + n > sizeof buffer_) Flush();
    return buffer_ + used_;
  }

  static constexpr size_t kShort = 64;
  std::string& out_;
  size_t used_ = 0;
  char buffer_[512];
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
  // The next `n` bytes (written by StateWriter::Bytes).
  std::string Bytes(uint64_t n);
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
