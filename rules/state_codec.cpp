#include "rules/state_codec.h"

#include <bit>
#include <cstring>

namespace ef::rules {

void StateWriter::U64(uint64_t v) {
  char bytes[10];
  size_t n = 0;
  while (v >= 0x80) {
    bytes[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  bytes[n++] = static_cast<char>(v);
  out_.append(bytes, n);
}

void StateWriter::F64(double v) {
  uint64_t bits = std::bit_cast<uint64_t>(v);
  if constexpr (std::endian::native == std::endian::little) {
    char bytes[8];
    std::memcpy(bytes, &bits, 8);
    out_.append(bytes, 8);
    return;
  }
  for (int i = 0; i < 8; ++i) {
    out_.push_back(static_cast<char>(bits & 0xff));
    bits >>= 8;
  }
}

void StateWriter::Str(std::string_view s) {
  U64(s.size());
  out_.append(s);
}

uint64_t StateReader::U64() {
  uint64_t v = 0;
  for (int shift = 0; ok_ && shift < 64; shift += 7) {
    if (pos_ >= in_.size()) break;
    const auto byte = static_cast<uint8_t>(in_[pos_++]);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return v;
  }
  ok_ = false;
  return 0;
}

double StateReader::F64() {
  if (!ok_ || in_.size() - pos_ < 8) {
    ok_ = false;
    return 0;
  }
  uint64_t bits = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&bits, in_.data() + pos_, 8);
  } else {
    for (int i = 7; i >= 0; --i) {
      bits = (bits << 8) | static_cast<uint8_t>(in_[pos_ + static_cast<size_t>(i)]);
    }
  }
  pos_ += 8;
  return std::bit_cast<double>(bits);
}

std::string StateReader::Str() {
  const uint64_t n = U64();
  if (!ok_ || n > in_.size() - pos_) {
    ok_ = false;
    return {};
  }
  std::string s(in_.substr(pos_, n));
  pos_ += n;
  return s;
}

bool StateReader::Bool() {
  if (!ok_ || pos_ >= in_.size()) {
    ok_ = false;
    return false;
  }
  const char c = in_[pos_++];
  if (c != '\0' && c != '\1') ok_ = false;
  return c == '\1';
}

uint64_t StateReader::Count(size_t min_bytes) {
  const uint64_t n = U64();
  if (ok_ && min_bytes > 0 && n > (in_.size() - pos_) / min_bytes) ok_ = false;
  return ok_ ? n : 0;
}

}  // namespace ef::rules
