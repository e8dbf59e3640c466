// Modbus through the real daemon and the real command line: a pymodbus PLC over TCP, edgeferry
// with a [[sources.modbus]] table beside its MQTT source, the cloud collector. Values reach
// the cloud; under backpressure polling goes on and keeps the latest value per point;
// `edgeferry probe modbus` finds the byte order and fails in one line.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "tests/connectors/modbus_toml.h"
#include "tests/integration/gateway_rig.h"
#include "tests/support/cloud_collector.h"
#include "tests/support/modbus_device.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace ef::testkit {
namespace {

using std::chrono::seconds;

TEST_CASE("modbus: values read from a PLC reach the cloud with device, unit and fields") {
  ModbusDevice plc;
  REQUIRE_MESSAGE(plc.Start(DeadlineIn(seconds(20))), plc.Log());
  GatewayOptions options;
  options.sources_toml =
      "[[sources.modbus]]\nname = \"plc\"\naddress = \"" + plc.address() +
      "\"\ndevice = \"press-7\"\ninterval_ms = 200\n"
      "[[sources.modbus.points]]\nname = \"pressure\"\nplc_address = \"400001\"\n"
      "type = \"FLOAT32\"\nunit = \"bar\"\n"
      "[[sources.modbus.points]]\nname = \"strokes\"\nplc_address = \"400041\"\n"
      "type = \"UINT16\"\nreport = \"on_change\"\n";
  GatewayRig rig(options);
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  CloudCollector collector(rig.CloudCollectorOptions());
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));

  auto arrived = [&](const std::string& field, size_t n) {
    size_t count = 0;
    for (const Arrival& a : collector.Arrivals()) {
      if (a.envelope && a.envelope->fields &&
          a.envelope->fields->find("\"" + field + "\"") != std::string::npos) {
        ++count;
      }
    }
    return count >= n;
  };
  REQUIRE(WaitUntil(DeadlineIn(seconds(30)), [&] { return arrived("pressure", 3); }));
  REQUIRE(WaitUntil(DeadlineIn(seconds(30)), [&] { return arrived("strokes", 3); }));
  for (const Arrival& a : collector.Arrivals()) {
    if (!a.envelope || !a.envelope->fields || a.envelope->device != "press-7") continue;
    CAPTURE(a.message);
    CHECK(a.topic == "edgeferry/gw-store/telemetry/press-7");
    if (a.envelope->fields->find("pressure") != std::string::npos) {
      CHECK(*a.envelope->fields == R"({"pressure":1.5})");
      CHECK(a.envelope->topic == "plc/1/holding/0");
      CHECK(a.envelope->payload == R"({"slave":1,"register":"holding","address":0,"unit":"bar"})");
      CHECK_FALSE(a.envelope->quality.has_value());
    }
  }
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
}

}  // namespace
}  // namespace ef::testkit

namespace ef::testkit {
namespace {

// Runs `edgeferry probe modbus ...` and returns its exit status; *output gets what it printed.
int Probe(const TempDir& dir, const std::vector<std::string>& args, std::string* output) {
  ProcessOptions spawn;
  spawn.argv = {GatewayRig::EdgeferryBinary(), "probe", "modbus"};
  spawn.argv.insert(spawn.argv.end(), args.begin(), args.end());
  spawn.log_file = dir.File("probe.log");
  std::filesystem::remove(spawn.log_file);
  Process probe(std::move(spawn));
  const auto status = probe.Wait(DeadlineIn(std::chrono::seconds(20)));
  *output = probe.Log();
  return status.value_or(-1);
}

TEST_CASE("modbus: probe prints every byte order, and a silent slave is a one-line error") {
  ModbusDevice plc;
  REQUIRE_MESSAGE(plc.Start(DeadlineIn(std::chrono::seconds(20))), plc.Log());
  TempDir dir("ef-probe");
  std::string out;
  CHECK(Probe(dir, {"--tcp", plc.address(), "--slave", "1", "--register", "holding", "--start",
                    "0", "--count", "8"},
              &out) == 0);
  CAPTURE(out);
  CHECK(out.find("0x3FC0") != std::string::npos);
  // FLOAT32 1.5 is stored in ABCD at 0, CDAB at 2, BADC at 4, DCBA at 6.
  for (const char* line : {"0      ABCD", "2      CDAB", "4      BADC", "6      DCBA"}) {
    const size_t at = out.find(line);
    REQUIRE_MESSAGE(at != std::string::npos, line);
    CHECK(out.substr(at, out.find('\n', at) - at).find("FLOAT32=1.5 ") != std::string::npos);
  }
  CHECK(Probe(dir, {"--tcp", plc.address(), "--slave", "9", "--register", "holding", "--start",
                    "0", "--count", "2", "--timeout-ms", "300"},
              &out) == 1);
  CHECK(out.find("edgeferry probe: tcp " + plc.address() + " slave 9 holding 0..1: ") == 0);
  CHECK(std::count(out.begin(), out.end(), '\n') == 1);
}

}  // namespace
}  // namespace ef::testkit

namespace ef::testkit {
namespace {

TEST_CASE("modbus: under backpressure polling goes on, keeping only the latest value per point") {
  ModbusDevice plc;
  REQUIRE_MESSAGE(plc.Start(DeadlineIn(std::chrono::seconds(20))), plc.Log());
  GatewayOptions options;
  options.queue_toml = "memory_events = 10\ncommit_max_events = 10\n";
  options.streams_toml = "[streams.telemetry]\nmax_bytes = 4096\noverflow = \"backpressure\"\n";
  options.sources_toml =
      "[[sources.modbus]]\nname = \"plc\"\naddress = \"" + plc.address() +
      "\"\ninterval_ms = 50\n" +
      ef::testing::ModbusPointToml("strokes", "plc_address = \"400041\"\ntype = \"UINT16\"\n") +
      ef::testing::ModbusPointToml("pressure", "plc_address = \"400001\"\ntype = \"FLOAT32\"\n");
  GatewayRig rig(options);
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(std::chrono::seconds(10))));
  CloudCollector collector(rig.CloudCollectorOptions());
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(std::chrono::seconds(15))), collector.error());
  REQUIRE(rig.StartDaemon(DeadlineIn(std::chrono::seconds(30))));
  REQUIRE(rig.cloud().Stop(DeadlineIn(std::chrono::seconds(10))));  // the queue fills up

  constexpr char kPaused[] = "plc: the pipeline is behind; polling goes on";
  REQUIRE(WaitUntil(DeadlineIn(std::chrono::seconds(30)), [&] {
    return rig.FullDaemonLog().find(kPaused) != std::string::npos;
  }));
  const uint64_t requests_at_pause = plc.Requests()[1];
  REQUIRE(WaitUntil(DeadlineIn(std::chrono::seconds(10)),
                    [&] { return plc.Requests()[1] >= requests_at_pause + 20; }));

  REQUIRE(rig.cloud().Start(DeadlineIn(std::chrono::seconds(10))));  // the queue drains
  REQUIRE(WaitUntil(DeadlineIn(std::chrono::seconds(30)), [&] {
    return rig.FullDaemonLog().find("plc: ingest resumed") != std::string::npos;
  }));
  REQUIRE(rig.StopDaemon(DeadlineIn(std::chrono::seconds(20))) == 0);
  const auto totals = rig.ExitTotals();
  REQUIRE(totals);
  // Two values per request were read; while paused only the latest of each point was kept.
  CHECK(totals->received + 20 < 2 * plc.Requests()[1]);
  CHECK(totals->dropped == 0);
  CHECK(totals->rejected == 0);
}

}  // namespace
}  // namespace ef::testkit
