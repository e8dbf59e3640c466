// The bytes of edgeferry's own binary encodings (core/field_codec.h's fields, storage's event
// chunks): little-endian base-128 varints, fixed 64-bit little-endian words, zigzag signed
// integers and varint-length-prefixed byte strings; and ByteReader, which reads them from the
// front of a buffer and fails (false, never throws, never reads past the end) on short or
// impossible input, so a damaged file or blob is an error for the caller to report.
//
// Thread-safety: plain functions; a ByteReader belongs to one thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ef::bytes {

inline void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    *out += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  *out += static_cast<char>(v);
}

inline void PutFixed64(std::string* out, uint64_t v) {
  char word[8];
  for (int i = 0; i < 8; ++i) word[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  out->append(word, 8);
}

inline void PutBytes(std::string* out, std::string_view bytes) {
  PutVarint(out, bytes.size());
  out->append(bytes);
}

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  bool empty() const { return in_.empty(); }
  size_t left() const { return in_.size(); }

  bool Byte(uint8_t* v) {
    if (in_.empty()) return false;
    *v = static_cast<uint8_t>(in_.front());
    in_.remove_prefix(1);
    return true;
  }
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = 0;
      if (!Byte(&b)) return false;
      *v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;  // more than 10 bytes: not a varint we wrote
  }
  bool Fixed64(uint64_t* v) {
    if (in_.size() < 8) return false;
    *v = 0;
    for (size_t i = 0; i < 8; ++i) {
      *v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[i])) << (8 * i);
    }
    in_.remove_prefix(8);
    return true;
  }
  // A length-prefixed byte string; false when the length exceeds what is left.
  bool Bytes(std::string* v) {
    uint64_t n = 0;
    if (!Varint(&n) || n > in_.size()) return false;
    v->assign(in_.data(), static_cast<size_t>(n));
    in_.remove_prefix(static_cast<size_t>(n));
    return true;
  }

 private:
  std::string_view in_;
};

}  // namespace ef::bytes
