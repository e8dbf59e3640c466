// Register map: what a Modbus point is (register kind, 0-based address, data type, byte order,
// scaling) and the pure functions that turn register contents into values. No I/O here: the
// poller hands in the words a read returned, these functions decode them.
//
// Conventions:
// - A register is a 16-bit word as the protocol carries it: high byte first. For the byte
//   orders, the bytes of a value are named A B C D ... from the most significant; ABCD means
//   the device sends them in that order ("big endian"), CDAB swaps the 16-bit words, BADC
//   swaps the bytes inside each word and DCBA reverses them all. 64-bit types extend the
//   pattern to eight bytes (ABCDEFGH, GHEFCDAB, BADCFEHG, HGFEDCBA).
// - Coils and discrete inputs arrive as one word per bit (0 or 1).
// - `address` is the 0-based protocol address (what goes on the wire). PLC numbering
//   ("400001") is 1-based with the area in the leading digit; ParsePlcAddress converts it.
//
// Plain values and pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/config_bind.h"
#include "core/event.h"

namespace ef::connectors::modbus {

enum class RegisterKind : uint8_t { kCoil, kDiscrete, kHolding, kInput };
enum class DataType : uint8_t {
  kBit, kInt16, kUint16, kInt32, kUint32, kInt64, kUint64, kFloat32, kFloat64, kString
};
enum class ByteOrder : uint8_t { kABCD, kCDAB, kBADC, kDCBA };

inline constexpr std::array<Choice<RegisterKind>, 4> kRegisterKinds = {{
    {"coil", RegisterKind::kCoil},
    {"discrete", RegisterKind::kDiscrete},
    {"holding", RegisterKind::kHolding},
    {"input", RegisterKind::kInput},
}};
inline constexpr std::array<Choice<DataType>, 10> kDataTypes = {{
    {"BIT", DataType::kBit},       {"INT16", DataType::kInt16},
    {"UINT16", DataType::kUint16}, {"INT32", DataType::kInt32},
    {"UINT32", DataType::kUint32}, {"INT64", DataType::kInt64},
    {"UINT64", DataType::kUint64}, {"FLOAT32", DataType::kFloat32},
    {"FLOAT64", DataType::kFloat64}, {"STRING", DataType::kString},
}};
inline constexpr std::array<Choice<ByteOrder>, 4> kByteOrders = {{
    {"ABCD", ByteOrder::kABCD},
    {"CDAB", ByteOrder::kCDAB},
    {"BADC", ByteOrder::kBADC},
    {"DCBA", ByteOrder::kDCBA},
}};

// Protocol limits of one read request (Modbus application protocol v1.1b3, 6.1 - 6.4).
inline constexpr uint32_t kMaxReadRegisters = 125;
inline constexpr uint32_t kMaxReadBits = 2000;
inline constexpr uint32_t kAddressSpace = 65536;

// Coils and discrete inputs are bits; holding and input registers are words.
constexpr bool IsBitKind(RegisterKind kind) {
  return kind == RegisterKind::kCoil || kind == RegisterKind::kDiscrete;
}
constexpr uint32_t MaxReadCount(RegisterKind kind) {
  return IsBitKind(kind) ? kMaxReadBits : kMaxReadRegisters;
}

// How a point's value is made from registers.
struct Encoding {
  DataType type = DataType::kUint16;
  ByteOrder byte_order = ByteOrder::kABCD;
  uint32_t bit = 0;     // kBit on a register: 0 (least significant) .. 15
  uint32_t length = 0;  // kString: registers (two characters each)
  double scale = 1.0;   // value * scale + offset, for numeric types
  double offset = 0.0;
};

// Registers (or bits, for coil/discrete) the encoding occupies: 1 for BIT and 16-bit types,
// 2 for 32-bit, 4 for 64-bit, `length` for STRING.
uint32_t RegisterCount(const Encoding& encoding);

// Decodes `words` (exactly RegisterCount(encoding) of them, else nullopt) into a value:
// BIT -> bool; integers -> int64 when scale is 1 and offset 0 (UINT64 above INT64_MAX becomes
// a double), else double; floats -> double (scaled); STRING -> the characters up to the first
// NUL, trailing spaces removed (BADC and DCBA swap the two characters of each register).
std::optional<Value> Decode(const Encoding& encoding, std::span<const uint16_t> words);

// The bytes of `words` in protocol order, rearranged into ABCD... (most significant first).
// Exposed for the probe, which shows every byte order.
uint64_t AssembleBits(std::span<const uint16_t> words, ByteOrder order);

// A point address in PLC numbering: "400001" (6 digits, register 1..65536) or "40001"
// (5 digits, 1..9999). Leading digit: 0 coil, 1 discrete input, 3 input register, 4 holding.
struct PlcAddress {
  RegisterKind kind = RegisterKind::kHolding;
  uint32_t address = 0;  // 0-based protocol address
};
// The parsed address, or an error message that says which convention it was read in.
std::optional<PlcAddress> ParsePlcAddress(std::string_view text, std::string* error);

}  // namespace ef::connectors::modbus
