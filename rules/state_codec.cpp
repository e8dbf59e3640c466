#include "rules/state_codec.h"

#include <bit>
#include <cstring>

namespace ef::rules {

void StateWriter::Str(std::string_view s) {
  U64(s.size());
  Bytes(s);
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

std::string StateReader::Str() { return Bytes(U64()); }

std::string StateReader::Bytes(uint64_t n) {
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
