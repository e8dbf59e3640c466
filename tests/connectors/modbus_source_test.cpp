// ModbusSource: its threads, Stop, and backpressure (keep only the latest value per point).
#include <doctest/doctest.h>

#include <mutex>
#include <vector>

#include "connectors/modbus/modbus_source.h"
#include "tests/connectors/modbus_test_config.h"
#include "tests/fakes/fake_modbus_bus.h"
#include "tests/fakes/wait.h"

namespace ef::connectors::modbus {
namespace {

using ef::testing::FakeModbusBus;
using ef::testing::WaitUntil;

class CollectingSink final : public EventSink {
 public:
  bool Push(Event event) override {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(event));
    return true;
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return events_.size();
  }
  std::vector<Event> events() {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::vector<Event> events_;
};

TEST_CASE("a paused source keeps polling but keeps only the latest value per point") {
  SystemClock clock;
  Logger log(LogLevel::kError);
  MetricsRegistry metrics;
  auto bus = std::make_shared<FakeModbusBus::State>();
  bus->Set(1, RegisterKind::kHolding, 0, {1, 2});
  const auto config = ef::testing::ModbusConfig(
      "[[sources.modbus]]\nname = \"plc\"\naddress = \"127.0.0.1:1\"\ninterval_ms = 5\n"
      "[[sources.modbus.points]]\nname = \"a\"\nplc_address = \"400001\"\ntype = \"INT16\"\n"
      "[[sources.modbus.points]]\nname = \"b\"\nplc_address = \"400002\"\ntype = \"INT16\"\n");
  ModbusSource source(config, clock, log, metrics,
                      [bus](const ModbusSourceConfig&) { return std::make_unique<FakeModbusBus>(bus); });
  CollectingSink sink;
  REQUIRE(source.Start(sink).ok());
  REQUIRE(WaitUntil([&] { return source.Ready() && sink.size() >= 2; }));
  source.Pause();
  const size_t before_pause = sink.size();
  const size_t requests = bus->RequestCount();
  REQUIRE(WaitUntil([&] { return bus->RequestCount() >= requests + 5; }));
  CHECK(sink.size() <= before_pause + 2);  // at most a poll that was under way
  CHECK(metrics.CounterTotal("edgeferry_modbus_values_skipped_total") >= 3);
  bus->Set(1, RegisterKind::kHolding, 0, {10, 20});
  const size_t after_change = bus->RequestCount();
  REQUIRE(WaitUntil([&] { return bus->RequestCount() >= after_change + 2; }));
  const size_t before_resume = sink.size();
  source.Resume();
  CHECK(sink.size() == before_resume + 2);  // one value per point: the latest
  const auto events = sink.events();
  for (size_t i = before_resume; i < events.size(); ++i) {
    const int64_t v = std::get<int64_t>(events[i].fields[0].value);
    CHECK((v == 10 || v == 20));
  }
  source.Stop();
  const size_t stopped = sink.size();
  CHECK(sink.size() == stopped);
  CHECK(metrics.CounterTotal("edgeferry_modbus_requests_total") == bus->RequestCount());
}

TEST_CASE("TCP slaves get a connection each, unless they share one") {
  SystemClock clock;
  Logger log(LogLevel::kError);
  MetricsRegistry metrics;
  auto bus = std::make_shared<FakeModbusBus::State>();
  const std::string points =
      "[[sources.modbus.points]]\nname = \"a\"\nslave = 1\nplc_address = \"000001\"\n"
      "[[sources.modbus.points]]\nname = \"b\"\nslave = 2\nplc_address = \"000001\"\n";
  for (const bool shared : {false, true}) {
    CAPTURE(shared);
    const auto config = ef::testing::ModbusConfig(
        "[[sources.modbus]]\nname = \"plc\"\naddress = \"127.0.0.1:1\"\nshare_connection = " +
        std::string(shared ? "true" : "false") + "\n" + points);
    int buses = 0;
    ModbusSource source(config, clock, log, metrics, [&](const ModbusSourceConfig&) {
      ++buses;
      return std::make_unique<FakeModbusBus>(bus);
    });
    CollectingSink sink;
    REQUIRE(source.Start(sink).ok());
    CHECK(buses == (shared ? 1 : 2));
    source.Stop();
  }
}

}  // namespace
}  // namespace ef::connectors::modbus
