// ModbusPoller against a FakeModbusBus on a manual clock: values, coalescing, failures.
#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "connectors/modbus/modbus_poller.h"
#include "tests/connectors/modbus_test_config.h"
#include "tests/connectors/modbus_toml.h"
#include "tests/fakes/fake_modbus_bus.h"
#include "tests/fakes/manual_clock.h"

namespace ef::connectors::modbus {
namespace {

using ef::testing::FakeModbusBus;
using ef::testing::ManualClock;
using std::chrono::milliseconds;

constexpr char kTcp[] = "[[sources.modbus]]\nname = \"plc\"\naddress = \"127.0.0.1:5020\"\n";

// A poller over a fake bus, with the events it emitted and its counters.
struct Rig {
  ManualClock clock;
  Logger log{LogLevel::kError};
  MetricsRegistry metrics;
  std::shared_ptr<FakeModbusBus::State> bus = std::make_shared<FakeModbusBus::State>();
  ModbusSourceConfig config;
  std::vector<Event> events;
  std::unique_ptr<ModbusPoller> poller;

  explicit Rig(const std::string& toml) : config(ef::testing::ModbusConfig(toml)) {
    bus->clock = &clock;
    PollerCounters counters{&metrics.GetCounter("requests", "r"),
                            &metrics.GetCounter("failures", "f"), &metrics.GetCounter("values", "v"),
                            &metrics.GetCounter("overruns", "o"), &metrics.GetCounter("skipped", "s")};
    poller = std::make_unique<ModbusPoller>(
        config, config.points, std::make_unique<FakeModbusBus>(bus), clock, log, counters,
        [this](Event e) { events.push_back(std::move(e)); },
        [this](Clock::Duration d) {
          clock.Advance(d);
          return true;
        });
  }
  uint64_t Count(std::string_view name) { return metrics.CounterTotal(name); }
  // The value of the last event carrying field `name`.
  const Value* Last(const std::string& name) {
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (!it->fields.empty() && it->fields[0].name == name) return &it->fields[0].value;
    }
    return nullptr;
  }
};

std::string Point(const std::string& name, const std::string& body) {
  return ef::testing::ModbusPointToml(name, body);
}

TEST_CASE("each point read becomes an event; contiguous points take one request") {
  Rig rig(std::string(kTcp) + "device = \"press-1\"\n" +
          Point("temp", "plc_address = \"400001\"\ntype = \"FLOAT32\"\nunit = \"degC\"\n") +
          Point("count", "plc_address = \"400003\"\ntype = \"UINT32\"\nbyte_order = \"CDAB\"\n") +
          Point("name", "plc_address = \"400005\"\ntype = \"STRING\"\nlength = 2\n"));
  rig.bus->Set(1, RegisterKind::kHolding, 0, {0x41C8, 0x0000, 0x0002, 0x0001, 0x4F4B, 0x2020});
  const auto wall = rig.clock.WallMillis();
  rig.poller->RunDue();
  CHECK(rig.bus->RequestCount() == 1);
  REQUIRE(rig.events.size() == 3);
  const Event& temp = rig.events[0];
  CHECK(temp.device_id == "press-1");
  CHECK(temp.stream == "telemetry");
  CHECK(temp.event_time_ms == wall);
  CHECK(temp.quality == Quality::kGood);
  CHECK(temp.origin == "plc/1/holding/0");
  CHECK(temp.payload == R"({"slave":1,"register":"holding","address":0,"unit":"degC"})");
  CHECK(std::get<double>(*rig.Last("temp")) == 25.0);
  CHECK(std::get<int64_t>(*rig.Last("count")) == 0x00010002);
  CHECK(std::get<std::string>(*rig.Last("name")) == "OK");
  CHECK(rig.Count("values") == 3);
}

TEST_CASE("polls follow the interval; on_change reports only changes") {
  Rig rig(std::string(kTcp) + "interval_ms = 100\nreport = \"on_change\"\n" +
          Point("level", "register = \"input\"\naddress = 7\ntype = \"INT16\"\n"));
  rig.bus->Set(1, RegisterKind::kInput, 7, {5});
  auto next = rig.poller->RunDue();
  CHECK(next == rig.clock.Now() + milliseconds(100));
  rig.clock.Advance(milliseconds(50));
  rig.poller->RunDue();  // not due: no request
  CHECK(rig.bus->RequestCount() == 1);
  rig.clock.Advance(milliseconds(50));
  rig.poller->RunDue();
  CHECK(rig.bus->RequestCount() == 2);
  CHECK(rig.events.size() == 1);  // unchanged
  rig.bus->Set(1, RegisterKind::kInput, 7, {6});
  rig.clock.Advance(milliseconds(100));
  rig.poller->RunDue();
  REQUIRE(rig.events.size() == 2);
  CHECK(std::get<int64_t>(*rig.Last("level")) == 6);
}

TEST_CASE("a dead slave yields no value, a status event, backoff, and never stops the live one") {
  Rig rig("[[sources.modbus]]\nname = \"bus\"\nport = \"/dev/null\"\ninterval_ms = 1000\n"
          "timeout_ms = 200\nretries = 1\nbackoff_min_ms = 3000\nbackoff_max_ms = 3000\n" +
          Point("a", "slave = 1\nplc_address = \"400001\"\ntype = \"INT16\"\n") +
          Point("b", "slave = 2\nplc_address = \"400001\"\ntype = \"INT16\"\ndevice = \"m2\"\n"));
  rig.bus->Set(1, RegisterKind::kHolding, 0, {1});
  rig.bus->dead[2] = true;
  rig.poller->RunDue();
  CHECK(rig.Last("b") == nullptr);
  REQUIRE(rig.Last("status") != nullptr);
  CHECK(std::get<std::string>(*rig.Last("status")) == "down");
  CHECK(rig.events.back().device_id == "m2");
  CHECK(rig.events.back().quality == Quality::kBad);
  CHECK(rig.Count("failures") == 1);  // no retry within the cycle on a serial line
  // It cost one timeout (and the inter-frame delay): the poll still fits its interval.
  CHECK(rig.Count("overruns") == 0);
  const size_t requests = rig.bus->RequestCount();
  for (int i = 0; i < 2; ++i) {
    rig.clock.Advance(milliseconds(1000));
    rig.poller->RunDue();
  }
  CHECK(rig.bus->RequestCount() == requests + 2);  // only slave 1: slave 2 backs off
  CHECK(rig.Count("skipped") == 2);
  rig.bus->dead[2] = false;
  rig.bus->Set(2, RegisterKind::kHolding, 0, {9});
  rig.clock.Advance(milliseconds(1000));
  rig.poller->RunDue();
  CHECK(std::get<int64_t>(*rig.Last("b")) == 9);
  CHECK(std::get<std::string>(*rig.Last("status")) == "up");
}

TEST_CASE("on TCP a request that timed out is retried within the poll") {
  Rig rig(std::string(kTcp) + "timeout_ms = 100\nretries = 2\n" +
          Point("a", "plc_address = \"400001\"\ntype = \"INT16\"\n"));
  rig.bus->dead[1] = true;
  rig.poller->RunDue();
  CHECK(rig.Count("failures") == 3);
  CHECK(rig.Count("requests") == 3);
}

TEST_CASE("a poll longer than its interval counts overruns and does not burst") {
  Rig rig(std::string(kTcp) + "interval_ms = 100\ntimeout_ms = 250\nretries = 0\n" +
          Point("a", "plc_address = \"400001\"\ntype = \"INT16\"\n"));
  rig.bus->dead[1] = true;
  rig.poller->RunDue();
  CHECK(rig.Count("overruns") == 2);
}

TEST_CASE("a read the device refuses as too long is split, and the split is remembered") {
  Rig rig(std::string(kTcp) + Point("a", "plc_address = \"400001\"\ntype = \"INT16\"\n") +
          Point("b", "plc_address = \"400002\"\ntype = \"INT16\"\n") +
          Point("c", "plc_address = \"400003\"\ntype = \"INT16\"\n") +
          Point("d", "plc_address = \"400004\"\ntype = \"INT16\"\n"));
  rig.bus->Set(1, RegisterKind::kHolding, 0, {1, 2, 3, 4});
  rig.bus->max_read[1] = 2;
  CHECK(rig.poller->planned_requests(0) == 1);
  rig.poller->RunDue();
  CHECK(rig.events.size() == 4);
  CHECK(rig.poller->planned_requests(0) == 2);
  const size_t requests = rig.bus->RequestCount();
  rig.clock.Advance(milliseconds(1000));
  rig.poller->RunDue();
  CHECK(rig.bus->RequestCount() == requests + 2);
  CHECK(rig.events.size() == 8);
}

TEST_CASE("a lost connection is reported and the next poll reconnects") {
  Rig rig(std::string(kTcp) + Point("a", "plc_address = \"400001\"\ntype = \"INT16\"\n"));
  rig.bus->Set(1, RegisterKind::kHolding, 0, {7});
  rig.poller->RunDue();
  rig.bus->drop_link = true;
  rig.clock.Advance(milliseconds(1000));
  rig.poller->RunDue();
  CHECK(std::get<std::string>(*rig.Last("status")) == "down");
  rig.bus->reachable = false;
  rig.clock.Advance(milliseconds(1000));  // the backoff minimum
  rig.poller->RunDue();
  CHECK(std::get<std::string>(*rig.Last("status")) == "down");
  rig.bus->reachable = true;
  rig.clock.Advance(milliseconds(30000));
  rig.poller->RunDue();
  CHECK(std::get<std::string>(*rig.Last("status")) == "up");
  CHECK(std::get<int64_t>(*rig.Last("a")) == 7);
}

}  // namespace
}  // namespace ef::connectors::modbus
