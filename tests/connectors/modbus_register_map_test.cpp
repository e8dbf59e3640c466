// Decoding registers into values: every type, every byte order, scaling, PLC addresses.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "connectors/modbus/register_map.h"

namespace ef::connectors::modbus {
namespace {

Value DecodeOk(DataType type, ByteOrder order, std::vector<uint16_t> words, double scale = 1,
               double offset = 0, uint32_t bit = 0) {
  Encoding e{type, order, bit, static_cast<uint32_t>(words.size()), scale, offset};
  const auto value = Decode(e, words);
  REQUIRE(value.has_value());
  return *value;
}

// The wire words of the bytes A B C D (most significant first) in each byte order.
std::vector<uint16_t> Words32(ByteOrder order, uint32_t v) {
  const uint16_t hi = static_cast<uint16_t>(v >> 16), lo = static_cast<uint16_t>(v);
  auto swap = [](uint16_t w) { return static_cast<uint16_t>((w << 8) | (w >> 8)); };
  switch (order) {
    case ByteOrder::kABCD: return {hi, lo};
    case ByteOrder::kCDAB: return {lo, hi};
    case ByteOrder::kBADC: return {swap(hi), swap(lo)};
    case ByteOrder::kDCBA: return {swap(lo), swap(hi)};
  }
  return {};
}

TEST_CASE("32-bit types decode in all four byte orders") {
  for (const auto& choice : kByteOrders) {
    CAPTURE(choice.name);
    const ByteOrder order = choice.value;
    CHECK(std::get<double>(DecodeOk(DataType::kFloat32, order, Words32(order, 0x3FC00000))) ==
          1.5);
    CHECK(std::get<int64_t>(DecodeOk(DataType::kInt32, order, Words32(order, 0xFFFFFFFE))) ==
          -2);
    CHECK(std::get<int64_t>(DecodeOk(DataType::kUint32, order, Words32(order, 0xDEADBEEF))) ==
          0xDEADBEEF);
  }
}

TEST_CASE("the byte orders are the documented permutations") {
  const std::vector<uint16_t> words = {0x0102, 0x0304};
  CHECK(AssembleBits(words, ByteOrder::kABCD) == 0x01020304U);
  CHECK(AssembleBits(words, ByteOrder::kCDAB) == 0x03040102U);
  CHECK(AssembleBits(words, ByteOrder::kBADC) == 0x02010403U);
  CHECK(AssembleBits(words, ByteOrder::kDCBA) == 0x04030201U);
  const std::vector<uint16_t> four = {0x0102, 0x0304, 0x0506, 0x0708};
  CHECK(AssembleBits(four, ByteOrder::kABCD) == 0x0102030405060708ULL);
  CHECK(AssembleBits(four, ByteOrder::kCDAB) == 0x0708050603040102ULL);
  CHECK(AssembleBits(four, ByteOrder::kBADC) == 0x0201040306050807ULL);
  CHECK(AssembleBits(four, ByteOrder::kDCBA) == 0x0807060504030201ULL);
}

TEST_CASE("16-bit and 64-bit types, signed and unsigned") {
  CHECK(std::get<int64_t>(DecodeOk(DataType::kInt16, ByteOrder::kABCD, {0xFFFF})) == -1);
  CHECK(std::get<int64_t>(DecodeOk(DataType::kUint16, ByteOrder::kABCD, {0xFFFF})) == 65535);
  CHECK(std::get<int64_t>(DecodeOk(DataType::kUint16, ByteOrder::kBADC, {0x3412})) == 0x1234);
  CHECK(std::get<int64_t>(DecodeOk(DataType::kInt64, ByteOrder::kABCD,
                                   {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFE})) == -2);
  CHECK(std::get<int64_t>(DecodeOk(DataType::kUint64, ByteOrder::kABCD, {0, 0, 1, 0})) == 65536);
  // Above INT64_MAX an unsigned 64-bit value is carried as a double.
  CHECK(std::get<double>(DecodeOk(DataType::kUint64, ByteOrder::kABCD,
                                  {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF})) == 18446744073709551615.0);
  // 1.0 as IEEE-754 double: 0x3FF0000000000000, words reversed for CDAB.
  CHECK(std::get<double>(DecodeOk(DataType::kFloat64, ByteOrder::kABCD, {0x3FF0, 0, 0, 0})) ==
        1.0);
  CHECK(std::get<double>(DecodeOk(DataType::kFloat64, ByteOrder::kCDAB, {0, 0, 0, 0x3FF0})) ==
        1.0);
}

TEST_CASE("scale and offset turn integers into doubles") {
  CHECK(std::get<double>(DecodeOk(DataType::kInt16, ByteOrder::kABCD, {0xFFF6}, 0.1)) ==
        doctest::Approx(-1.0));
  CHECK(std::get<double>(DecodeOk(DataType::kUint16, ByteOrder::kABCD, {100}, 0.5, -40)) ==
        doctest::Approx(10.0));
  CHECK(std::get<double>(DecodeOk(DataType::kFloat32, ByteOrder::kABCD, {0x3FC0, 0}, 2, 1)) ==
        doctest::Approx(4.0));
}

TEST_CASE("a BIT picks one bit of a register; a coil is its own bit") {
  CHECK(std::get<bool>(DecodeOk(DataType::kBit, ByteOrder::kABCD, {0x0008}, 1, 0, 3)));
  CHECK_FALSE(std::get<bool>(DecodeOk(DataType::kBit, ByteOrder::kABCD, {0x0008}, 1, 0, 2)));
  CHECK(std::get<bool>(DecodeOk(DataType::kBit, ByteOrder::kABCD, {0x8000}, 1, 0, 15)));
  CHECK(std::get<bool>(DecodeOk(DataType::kBit, ByteOrder::kABCD, {1})));
}

TEST_CASE("a STRING stops at NUL, drops trailing spaces, and BADC swaps its characters") {
  CHECK(std::get<std::string>(DecodeOk(DataType::kString, ByteOrder::kABCD,
                                       {0x4142, 0x4344, 0x2000})) == "ABCD");
  CHECK(std::get<std::string>(DecodeOk(DataType::kString, ByteOrder::kABCD,
                                       {0x4142, 0x4300, 0x4545})) == "ABC");
  CHECK(std::get<std::string>(DecodeOk(DataType::kString, ByteOrder::kBADC, {0x4241, 0x4443})) ==
        "ABCD");
}

TEST_CASE("the wrong number of words decodes to nothing") {
  const Encoding e{DataType::kFloat32, ByteOrder::kABCD, 0, 0, 1, 0};
  const std::vector<uint16_t> one = {0x3FC0};
  CHECK_FALSE(Decode(e, one).has_value());
}

TEST_CASE("PLC addresses are 1-based with the area in the leading digit") {
  std::string error;
  auto holding = ParsePlcAddress("400001", &error);
  REQUIRE(holding);
  CHECK(holding->kind == RegisterKind::kHolding);
  CHECK(holding->address == 0);
  auto input = ParsePlcAddress("30010", &error);
  REQUIRE(input);
  CHECK(input->kind == RegisterKind::kInput);
  CHECK(input->address == 9);
  auto coil = ParsePlcAddress("000017", &error);
  REQUIRE(coil);
  CHECK(coil->kind == RegisterKind::kCoil);
  CHECK(coil->address == 16);
  CHECK(ParsePlcAddress("165536", &error)->address == 65535);
  CHECK_FALSE(ParsePlcAddress("400000", &error));
  CHECK(error.find("1-based") != std::string::npos);
  CHECK_FALSE(ParsePlcAddress("200001", &error));
  CHECK(error.find("leading digit") != std::string::npos);
  CHECK_FALSE(ParsePlcAddress("4x0001", &error));
  CHECK_FALSE(ParsePlcAddress("465537", &error));
}

}  // namespace
}  // namespace ef::connectors::modbus
