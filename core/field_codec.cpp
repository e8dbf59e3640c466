#include "core/field_codec.h"

#include <bit>

#include "core/byte_codec.h"

namespace ef {
namespace {

constexpr char kFormatV1 = 0x01;
enum Tag : uint8_t { kBool = 0, kInt64 = 1, kDouble = 2, kString = 3 };

using bytes::ByteReader;
using bytes::PutBytes;
using bytes::PutFixed64;
using bytes::PutVarint;

struct AppendValue {
  std::string* out;
  void operator()(bool v) const {
    *out += static_cast<char>(kBool);
    *out += static_cast<char>(v ? 1 : 0);
  }
  void operator()(int64_t v) const {
    *out += static_cast<char>(kInt64);
    PutFixed64(out, static_cast<uint64_t>(v));
  }
  void operator()(double v) const {
    *out += static_cast<char>(kDouble);
    PutFixed64(out, std::bit_cast<uint64_t>(v));
  }
  void operator()(const std::string& v) const {
    *out += static_cast<char>(kString);
    PutBytes(out, v);
  }
};

// One field's value after its tag; an error message, or empty on success.
std::string ReadValue(ByteReader& in, uint8_t tag, Value* value) {
  uint64_t bits = 0;
  switch (tag) {
    case kBool: {
      uint8_t b = 0;
      if (!in.Byte(&b)) return "truncated bool";
      if (b > 1) return "bool byte " + std::to_string(b);
      *value = b == 1;
      return {};
    }
    case kInt64:
      if (!in.Fixed64(&bits)) return "truncated int64";
      *value = static_cast<int64_t>(bits);
      return {};
    case kDouble:
      if (!in.Fixed64(&bits)) return "truncated double";
      *value = std::bit_cast<double>(bits);
      return {};
    case kString: {
      std::string s;
      if (!in.Bytes(&s)) return "string length beyond the end";
      *value = std::move(s);
      return {};
    }
    default:
      return "unknown type tag " + std::to_string(tag);
  }
}

}  // namespace

void AppendEncodedFields(const std::vector<Field>& fields, std::string* out) {
  if (fields.empty()) return;
  *out += kFormatV1;
  for (const Field& field : fields) {
    PutBytes(out, field.name);
    std::visit(AppendValue{out}, field.value);
  }
}

std::string EncodeFields(const std::vector<Field>& fields) {
  std::string out;
  AppendEncodedFields(fields, &out);
  return out;
}

Status DecodeFields(std::string_view bytes, std::vector<Field>* out) {
  out->clear();
  if (bytes.empty()) return Status::Ok();
  if (bytes.front() != kFormatV1) {
    return Status::Corruption("fields: unknown format byte " +
                              std::to_string(static_cast<uint8_t>(bytes.front())));
  }
  ByteReader in(bytes.substr(1));
  std::string error;
  while (!in.empty() && error.empty()) {
    Field& field = out->emplace_back();
    uint8_t tag = 0;
    if (!in.Bytes(&field.name)) {
      error = "name length beyond the end";
    } else if (!in.Byte(&tag)) {
      error = "missing type tag";
    } else {
      error = ReadValue(in, tag, &field.value);
    }
  }
  if (error.empty()) return Status::Ok();
  const size_t index = out->size() - 1;
  out->clear();
  return Status::Corruption("fields: field " + std::to_string(index) + ": " + error);
}

}  // namespace ef
