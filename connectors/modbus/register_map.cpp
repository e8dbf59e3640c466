#include "connectors/modbus/register_map.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace ef::connectors::modbus {
namespace {

// Bytes of `words` in the order the device sent them (high byte of each register first).
std::array<uint8_t, 8> WireBytes(std::span<const uint16_t> words) {
  std::array<uint8_t, 8> bytes{};
  for (size_t i = 0; i < words.size() && i < 4; ++i) {
    bytes[2 * i] = static_cast<uint8_t>(words[i] >> 8);
    bytes[2 * i + 1] = static_cast<uint8_t>(words[i] & 0xff);
  }
  return bytes;
}

int64_t SignExtend(uint64_t raw, uint32_t bits) {
  if (bits >= 64) return std::bit_cast<int64_t>(raw);
  const uint64_t sign = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>((raw ^ sign) - sign);
}

Value Scaled(double raw, const Encoding& e) { return raw * e.scale + e.offset; }

Value ScaledInteger(int64_t raw, const Encoding& e) {
  if (e.scale == 1.0 && e.offset == 0.0) return raw;
  return Scaled(static_cast<double>(raw), e);
}

std::string DecodeString(std::span<const uint16_t> words, ByteOrder order) {
  const bool swap = order == ByteOrder::kBADC || order == ByteOrder::kDCBA;
  std::string text;
  for (uint16_t word : words) {
    const auto high = static_cast<char>(word >> 8);
    const auto low = static_cast<char>(word & 0xff);
    text.push_back(swap ? low : high);
    text.push_back(swap ? high : low);
  }
  const size_t nul = text.find('\0');
  if (nul != std::string::npos) text.resize(nul);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

}  // namespace

uint32_t RegisterCount(const Encoding& encoding) {
  switch (encoding.type) {
    case DataType::kBit:
    case DataType::kInt16:
    case DataType::kUint16:
      return 1;
    case DataType::kInt32:
    case DataType::kUint32:
    case DataType::kFloat32:
      return 2;
    case DataType::kInt64:
    case DataType::kUint64:
    case DataType::kFloat64:
      return 4;
    case DataType::kString:
      return encoding.length;
  }
  return 1;
}

uint64_t AssembleBits(std::span<const uint16_t> words, ByteOrder order) {
  const size_t n = std::min<size_t>(words.size(), 4) * 2;
  const std::array<uint8_t, 8> wire = WireBytes(words);
  // Position in the wire of the k-th most significant byte: word index w, byte index b.
  uint64_t value = 0;
  for (size_t k = 0; k < n; ++k) {
    size_t w = k / 2;
    size_t b = k % 2;
    if (order == ByteOrder::kCDAB || order == ByteOrder::kDCBA) w = n / 2 - 1 - w;
    if (order == ByteOrder::kBADC || order == ByteOrder::kDCBA) b = 1 - b;
    value = (value << 8) | wire[2 * w + b];
  }
  return value;
}

std::optional<Value> Decode(const Encoding& e, std::span<const uint16_t> words) {
  if (words.size() != RegisterCount(e) || words.empty()) return std::nullopt;
  const uint64_t raw = e.type == DataType::kString ? 0 : AssembleBits(words, e.byte_order);
  switch (e.type) {
    case DataType::kBit:
      // A coil arrives as 0/1; a register bit is picked out of the (byte-ordered) word.
      return ((raw >> e.bit) & 1U) != 0;
    case DataType::kInt16:
      return ScaledInteger(SignExtend(raw, 16), e);
    case DataType::kUint16:
    case DataType::kUint32:
      return ScaledInteger(static_cast<int64_t>(raw), e);
    case DataType::kInt32:
      return ScaledInteger(SignExtend(raw, 32), e);
    case DataType::kInt64:
      return ScaledInteger(SignExtend(raw, 64), e);
    case DataType::kUint64:
      if (raw > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Scaled(static_cast<double>(raw), e);
      }
      return ScaledInteger(static_cast<int64_t>(raw), e);
    case DataType::kFloat32:
      return Scaled(std::bit_cast<float>(static_cast<uint32_t>(raw)), e);
    case DataType::kFloat64:
      return Scaled(std::bit_cast<double>(raw), e);
    case DataType::kString:
      return DecodeString(words, e.byte_order);
  }
  return std::nullopt;
}

std::optional<PlcAddress> ParsePlcAddress(std::string_view text, std::string* error) {
  const std::string quoted = "plc_address '" + std::string(text) + "'";
  if ((text.size() != 5 && text.size() != 6) ||
      text.find_first_not_of("0123456789") != std::string_view::npos) {
    *error = quoted + " must be 5 or 6 digits in PLC numbering (e.g. \"400001\": area digit, "
                      "then the 1-based register number); for a 0-based protocol address "
                      "write address = N and register = \"...\"";
    return std::nullopt;
  }
  PlcAddress out;
  switch (text[0]) {
    case '0': out.kind = RegisterKind::kCoil; break;
    case '1': out.kind = RegisterKind::kDiscrete; break;
    case '3': out.kind = RegisterKind::kInput; break;
    case '4': out.kind = RegisterKind::kHolding; break;
    default:
      *error = quoted + ": the leading digit names the area and must be 0 (coil), 1 (discrete "
                        "input), 3 (input register) or 4 (holding register)";
      return std::nullopt;
  }
  const uint32_t number = static_cast<uint32_t>(std::stoul(std::string(text.substr(1))));
  if (number == 0) {
    *error = quoted + ": PLC numbering is 1-based, so the first register is " +
             std::string(1, text[0]) + std::string(text.size() - 2, '0') +
             "1; for the 0-based protocol address 0 write address = 0";
    return std::nullopt;
  }
  if (number > kAddressSpace) {
    *error = quoted + ": register " + std::to_string(number) +
             " is beyond the 65536 registers of an area";
    return std::nullopt;
  }
  out.address = number - 1;
  return out;
}

}  // namespace ef::connectors::modbus
