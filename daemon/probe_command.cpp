#include "daemon/probe_command.h"

#include <charconv>
#include <cstdio>
#include <map>
#include <optional>
#include <span>

#include "connectors/modbus/modbus_bus.h"
#include "connectors/modbus/register_map.h"

namespace ef::daemon {
namespace {

namespace mb = connectors::modbus;

constexpr char kProbeUsage[] =
    "usage: edgeferry probe modbus (--tcp HOST:PORT | --rtu DEVICE [--baud N] [--parity N|E|O])\n"
    "                              --slave N --register holding|input|coil|discrete\n"
    "                              --start ADDRESS --count N [--timeout-ms MS]\n"
    "ADDRESS is the 0-based protocol address (PLC register 400001 is holding address 0).\n";

struct ProbeArgs {
  mb::ModbusSourceConfig bus;
  int slave = 1;
  mb::RegisterKind kind = mb::RegisterKind::kHolding;
  uint32_t start = 0;
  uint32_t count = 0;
  int64_t timeout_ms = 1000;
};

std::optional<int64_t> Number(const std::string& text) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// Returns an error message, empty when `words` parsed.
std::string Parse(const std::vector<std::string>& words, ProbeArgs* out) {
  if (words.empty() || words[0] != "modbus") return "probe needs a protocol: probe modbus ...";
  std::map<std::string, std::string> values;
  for (size_t i = 1; i < words.size(); i += 2) {
    if (!words[i].starts_with("--") || i + 1 >= words.size()) {
      return "'" + words[i] + "' needs a value";
    }
    values[words[i].substr(2)] = words[i + 1];
  }
  auto take = [&](const std::string& key) {
    auto it = values.find(key);
    std::optional<std::string> v;
    if (it != values.end()) {
      v = it->second;
      values.erase(it);
    }
    return v;
  };
  const auto tcp = take("tcp"), rtu = take("rtu");
  if (tcp.has_value() == rtu.has_value()) return "give exactly one of --tcp and --rtu";
  out->bus.address = tcp.value_or("");
  out->bus.port = rtu.value_or("");
  if (tcp) {
    std::string host;
    int port = 0;
    if (!mb::SplitHostPort(*tcp, &host, &port)) return "--tcp needs host:port";
  }
  if (auto baud = take("baud")) {
    if (!Number(*baud) || *Number(*baud) <= 0) return "--baud needs a number";
    out->bus.baud = *Number(*baud);
  }
  if (auto parity = take("parity")) {
    if (*parity != "N" && *parity != "E" && *parity != "O") return "--parity must be N, E or O";
    out->bus.parity = *parity == "E" ? mb::Parity::kEven
                      : *parity == "O" ? mb::Parity::kOdd : mb::Parity::kNone;
  }
  const auto reg = take("register");
  bool known_kind = false;
  for (const auto& c : mb::kRegisterKinds) {
    if (!reg || c.name != *reg) continue;
    out->kind = c.value;
    known_kind = true;
  }
  if (!known_kind) return "--register must be holding, input, coil or discrete";
  const auto slave = take("slave"), start = take("start"), count = take("count");
  if (!slave || !Number(*slave) || *Number(*slave) < 1 || *Number(*slave) > 255) {
    return "--slave needs a slave id 1..255";
  }
  out->slave = static_cast<int>(*Number(*slave));
  if (!start || !Number(*start) || *Number(*start) < 0 || *Number(*start) > 65535) {
    return "--start needs a 0-based address 0..65535";
  }
  out->start = static_cast<uint32_t>(*Number(*start));
  const int64_t max = mb::MaxReadCount(out->kind);
  if (!count || !Number(*count) || *Number(*count) < 1 || *Number(*count) > max ||
      out->start + *Number(*count) > mb::kAddressSpace) {
    return "--count needs 1.." + std::to_string(max) + " within the address space";
  }
  out->count = static_cast<uint32_t>(*Number(*count));
  if (auto timeout = take("timeout-ms")) {
    if (!Number(*timeout) || *Number(*timeout) <= 0) return "--timeout-ms needs a number";
    out->timeout_ms = *Number(*timeout);
  }
  if (!values.empty()) return "unknown option --" + values.begin()->first;
  return {};
}

std::string Show(const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", *d);
    return buf;
  }
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  return std::get<std::string>(v);
}

// One line per byte order for the `width`-register group at `offset`.
void PrintGroups(std::span<const uint16_t> words, uint32_t start, uint32_t width,
                 std::initializer_list<mb::DataType> types) {
  if (words.size() < width) return;
  std::printf("\n%u-register groups (%s):\n", width,
              width == 2 ? "INT32, UINT32, FLOAT32" : "INT64, UINT64, FLOAT64");
  for (size_t at = 0; at + width <= words.size(); ++at) {
    for (const auto& order : mb::kByteOrders) {
      std::printf("  %-6zu %s", start + at, std::string(order.name).c_str());
      for (mb::DataType type : types) {
        const mb::Encoding e{type, order.value, 0, 0, 1.0, 0.0};
        const auto v = mb::Decode(e, words.subspan(at, width));
        std::printf("  %s=%-22s", std::string(NameOf(mb::kDataTypes, type)).c_str(),
                    v ? Show(*v).c_str() : "?");
      }
      std::printf("\n");
    }
  }
}

void PrintRegisters(const ProbeArgs& args, std::span<const uint16_t> words) {
  const char area = args.kind == mb::RegisterKind::kHolding ? '4' : '3';
  std::printf("%-8s %-8s %-6s %-7s %-6s %s\n", "address", "plc", "hex", "UINT16", "INT16",
              "chars");
  for (size_t i = 0; i < words.size(); ++i) {
    const uint32_t address = args.start + static_cast<uint32_t>(i);
    auto printable = [](int c) { return c >= 32 && c < 127 ? static_cast<char>(c) : '.'; };
    std::printf("%-8u %c%05u   0x%04X %-7u %-6d %c%c\n", address, area, address + 1, words[i],
                words[i], static_cast<int16_t>(words[i]), printable(words[i] >> 8),
                printable(words[i] & 0xff));
  }
  PrintGroups(words, args.start, 2,
              {mb::DataType::kInt32, mb::DataType::kUint32, mb::DataType::kFloat32});
  PrintGroups(words, args.start, 4,
              {mb::DataType::kInt64, mb::DataType::kUint64, mb::DataType::kFloat64});
}

}  // namespace

int RunProbeCommand(const std::vector<std::string>& words) {
  ProbeArgs args;
  if (const std::string error = Parse(words, &args); !error.empty()) {
    std::fprintf(stderr, "edgeferry probe: %s\n%s", error.c_str(), kProbeUsage);
    return 2;
  }
  args.bus.timeout_ms = args.timeout_ms;
  const auto bus = mb::MakeLibModbusBus(args.bus);
  if (const Status status = bus->Connect(); !status.ok()) {
    std::fprintf(stderr, "edgeferry probe: cannot connect: %s\n", status.message().c_str());
    return 1;
  }
  const mb::BusRead read = bus->Read(args.slave, args.kind, args.start, args.count,
                                     std::chrono::milliseconds(args.timeout_ms));
  const std::string what = bus->Describe() + " slave " + std::to_string(args.slave) + " " +
                           std::string(NameOf(mb::kRegisterKinds, args.kind)) + " " +
                           std::to_string(args.start) + ".." +
                           std::to_string(args.start + args.count - 1);
  if (!read.ok()) {
    std::fprintf(stderr, "edgeferry probe: %s: %s\n", what.c_str(), read.message.c_str());
    return 1;
  }
  std::printf("%s\n\n", what.c_str());
  if (mb::IsBitKind(args.kind)) {
    const char area = args.kind == mb::RegisterKind::kCoil ? '0' : '1';
    for (size_t i = 0; i < read.words.size(); ++i) {
      const uint32_t address = args.start + static_cast<uint32_t>(i);
      std::printf("%-8u %c%05u   %u\n", address, area, address + 1, read.words[i]);
    }
    return 0;
  }
  PrintRegisters(args, read.words);
  return 0;
}

}  // namespace ef::daemon
