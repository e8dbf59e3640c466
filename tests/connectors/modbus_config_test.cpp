// [[sources.modbus]]: binding, defaults, and the errors `edgeferry check` prints.
#include <doctest/doctest.h>

#include "tests/connectors/modbus_test_config.h"
#include "tests/connectors/modbus_toml.h"

namespace ef::connectors::modbus {
namespace {

using ef::testing::ModbusConfig;
using ef::testing::ModbusConfigErrors;

constexpr char kHead[] = "[[sources.modbus]]\nname = \"plc\"\naddress = \"127.0.0.1:5020\"\n";

std::string Point(const std::string& body) { return ef::testing::ModbusPointToml("p", body); }

// The single error of a file made of kHead and `rest`.
std::string OneError(const std::string& rest) {
  const auto errors = ModbusConfigErrors(kHead + rest);
  REQUIRE(errors.size() == 1);
  return errors[0];
}

TEST_CASE("a modbus source binds with its groups, points and cascading defaults") {
  const auto config = ModbusConfig(std::string(kHead) +
                                   "slave = 3\ninterval_ms = 500\nreport = \"on_change\"\n"
                                   "[[sources.modbus.groups]]\nname = \"fast\"\ninterval_ms = 100\n"
                                   "deadband = 0.5\n" +
                                   Point("register = \"holding\"\naddress = 4\ntype = \"FLOAT32\"\n"
                                         "byte_order = \"CDAB\"\nunit = \"degC\"\ngroup = \"fast\"\n") +
                                   "[[sources.modbus.points]]\nname = \"q\"\nplc_address = "
                                   "\"300010\"\ntype = \"INT16\"\nslave = 4\nscale = 0.1\n");
  CHECK(config.name == "plc");
  CHECK(config.device == "plc");
  REQUIRE(config.groups.size() == 1);
  CHECK(config.groups[0].interval_ms == 100);
  CHECK(config.groups[0].timeout_ms == 1000);
  CHECK(config.groups[0].report.mode == ReportMode::kOnChange);
  REQUIRE(config.points.size() == 2);
  const PointConfig& p = config.points[0];
  CHECK(p.slave == 3);
  CHECK(p.address == 4);
  CHECK(p.type == DataType::kFloat32);
  CHECK(p.byte_order == ByteOrder::kCDAB);
  CHECK(p.report.deadband == 0.5);
  CHECK(p.unit == "degC");
  const PointConfig& q = config.points[1];
  CHECK(q.kind == RegisterKind::kInput);
  CHECK(q.address == 9);
  CHECK(q.slave == 4);
  CHECK(q.scale == 0.1);
  CHECK(q.report.mode == ReportMode::kOnChange);
}

TEST_CASE("coils default to BIT; a serial line binds its settings") {
  const auto config = ModbusConfig(
      "[[sources.modbus]]\nname = \"bus\"\nport = \"/dev/ttyUSB0\"\nbaud = 9600\n"
      "parity = \"E\"\n" + Point("plc_address = \"000001\"\n"));
  CHECK(config.serial());
  CHECK(config.parity == Parity::kEven);
  CHECK(config.points[0].type == DataType::kBit);
  CHECK(config.points[0].kind == RegisterKind::kCoil);
}

TEST_CASE("impossible points are reported at file:line:col") {
  CHECK(OneError(Point("register = \"holding\"\naddress = 0\ntype = \"BIT\"\nbit = 16\n")) ==
        "gw.toml:9:7: point 'p': bit 16 does not exist: a register has bits 0..15");
  CHECK(OneError(Point("register = \"holding\"\naddress = 0\ntype = \"STRING\"\n")) ==
        "gw.toml:8:8: point 'p': STRING needs 'length' (registers, two characters each)");
  CHECK(OneError(Point("register = \"holding\"\naddress = 0\ntype = \"FLOAT32\"\n"
                       "byte_order = \"ABDC\"\n")) ==
        "gw.toml:9:14: 'byte_order': must be \"ABCD\", \"CDAB\", \"BADC\" or \"DCBA\", not "
        "\"ABDC\"");
  CHECK(OneError(Point("register = \"holding\"\naddress = 65535\ntype = \"FLOAT32\"\n")) ==
        "gw.toml:7:11: point 'p': FLOAT32 at address 65535 (0-based) spans 2 registers and "
        "runs past the last one (address 65535)");
  CHECK(OneError(Point("plc_address = \"465536\"\ntype = \"FLOAT32\"\n")) ==
        "gw.toml:6:15: point 'p': FLOAT32 at plc_address '465536' (0-based address 65535) "
        "spans 2 registers and runs past the last one (address 65535)");
  CHECK(OneError(Point("register = \"holding\"\naddress = 0\ntype = \"STRING\"\nlength = 126\n")) ==
        "gw.toml:9:10: point 'p': STRING spans 126 registers, more than one read carries (125, "
        "max_registers)");
  CHECK(OneError("max_registers = 1\n" +
                 Point("register = \"holding\"\naddress = 0\ntype = \"FLOAT32\"\n")) ==
        "gw.toml:9:8: point 'p': FLOAT32 spans 2 registers, more than one read carries (1, "
        "max_registers)");
}

TEST_CASE("address conventions are checked and named in the errors") {
  CHECK(OneError(Point("address = 3\ntype = \"INT16\"\n")) ==
        "gw.toml:6:11: point 'p': 'address' 3 is a 0-based protocol address and needs "
        "'register' (coil, discrete, holding or input)");
  CHECK(OneError(Point("plc_address = \"400000\"\ntype = \"INT16\"\n")).find(
            "PLC numbering is 1-based, so the first register is 400001") != std::string::npos);
  CHECK(OneError(Point("register = \"input\"\nplc_address = \"400001\"\ntype = \"INT16\"\n")) ==
        "gw.toml:6:12: point 'p': register 'input' disagrees with plc_address '400001', whose "
        "leading digit means holding");
  CHECK(OneError(Point("register = \"holding\"\naddress = 1\nplc_address = \"400002\"\n"
                       "type = \"INT16\"\n")).find("not both") != std::string::npos);
  CHECK(OneError(Point("register = \"holding\"\naddress = 1\n")).find("missing 'type'") !=
        std::string::npos);
}

TEST_CASE("overlapping points of one slave and register kind are errors") {
  const std::string a = Point("register = \"holding\"\naddress = 0\ntype = \"FLOAT32\"\n");
  const std::string b = "[[sources.modbus.points]]\nname = \"q\"\nregister = \"holding\"\n"
                        "address = 1\ntype = \"INT16\"\n";
  CHECK(OneError(a + b) ==
        "gw.toml:9:1: point 'q' (holding 1..1, slave 1) overlaps point 'p' (0..1)");
  // Another slave, another register kind, or distinct bits of one register do not overlap.
  CHECK(ModbusConfigErrors(kHead + a + b + "slave = 2\n").empty());
  CHECK(ModbusConfigErrors(std::string(kHead) +
                           Point("register = \"holding\"\naddress = 0\ntype = \"BIT\"\nbit = 1\n") +
                           "[[sources.modbus.points]]\nname = \"q\"\nregister = \"holding\"\n"
                           "address = 0\ntype = \"BIT\"\nbit = 2\n")
            .empty());
}

TEST_CASE("two points reading the same bit of a register overlap") {
  const std::string bit = "register = \"holding\"\naddress = 0\ntype = \"BIT\"\nbit = ";
  const auto errors = ModbusConfigErrors(
      std::string(kHead) + Point(bit + "1\n") + ef::testing::ModbusPointToml("q", bit + "2\n") +
      ef::testing::ModbusPointToml("r", bit + "2\n"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "gw.toml:16:1: point 'r' reads bit 2 of holding 0 (slave 1), which another "
                     "point reads");
}

TEST_CASE("a source needs exactly one of address and port, and some points") {
  const auto errors = ModbusConfigErrors("[[sources.modbus]]\nname = \"x\"\n");
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].find("exactly one of 'address'") != std::string::npos);
  CHECK(errors[1].find("has no [[sources.modbus.points]]") != std::string::npos);
  CHECK(OneError("frame_delay = 3\n" + Point("plc_address = \"000001\"\n")) ==
        "gw.toml:4:1: unknown key 'frame_delay' in [sources.modbus] (did you mean "
        "'frame_delay_ms'?)");
}

}  // namespace
}  // namespace ef::connectors::modbus
