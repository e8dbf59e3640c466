// FakeModbusBus: an in-memory ModbusBus for unit tests. The test keeps the shared State and
// changes registers, kills slaves or drops the link while the poller owns the bus. A dead
// slave "times out": it advances the test's ManualClock by the request's timeout, as the
// real wait would. Thread-safe (one mutex around the state).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <utility>
#include <vector>

#include "connectors/modbus/modbus_bus.h"
#include "tests/fakes/manual_clock.h"

namespace ef::testing {

class FakeModbusBus final : public connectors::modbus::ModbusBus {
 public:
  using RegisterKind = connectors::modbus::RegisterKind;
  using BusRead = connectors::modbus::BusRead;
  using BusError = connectors::modbus::BusError;

  struct Request {
    int slave;
    RegisterKind kind;
    uint32_t address;
    uint32_t count;
  };
  struct State {
    std::mutex mu;
    std::map<std::tuple<int, RegisterKind, uint32_t>, uint16_t> cells;
    std::map<int, bool> dead;           // slaves that never answer
    std::map<int, uint32_t> max_read;   // slaves that refuse longer reads (illegal address)
    bool reachable = true;              // Connect() fails while false
    bool drop_link = false;             // the next read loses the connection
    std::vector<Request> requests;
    ManualClock* clock = nullptr;       // advanced by the timeout of a dead slave's request

    void Set(int slave, RegisterKind kind, uint32_t address, std::vector<uint16_t> words) {
      std::lock_guard lock(mu);
      for (uint16_t w : words) cells[{slave, kind, address++}] = w;
    }
    size_t RequestCount() {
      std::lock_guard lock(mu);
      return requests.size();
    }
  };

  explicit FakeModbusBus(std::shared_ptr<State> state) : state_(std::move(state)) {}

  Status Connect() override {
    std::lock_guard lock(state_->mu);
    connected_ = state_->reachable;
    return connected_ ? Status::Ok() : Status::Unavailable("connection refused");
  }
  void Close() override { connected_ = false; }
  bool connected() const override { return connected_; }
  std::string Describe() const override { return "fake"; }

  BusRead Read(int slave, RegisterKind kind, uint32_t address, uint32_t count,
               std::chrono::milliseconds timeout) override {
    std::lock_guard lock(state_->mu);
    state_->requests.push_back({slave, kind, address, count});
    if (!connected_ || state_->drop_link) {
      state_->drop_link = false;
      connected_ = false;
      return {BusError::kConnection, "connection reset by peer", {}};
    }
    if (state_->dead[slave]) {
      if (state_->clock != nullptr) state_->clock->Advance(timeout);
      return {BusError::kTimeout, "connection timed out", {}};
    }
    const auto limit = state_->max_read.find(slave);
    if (limit != state_->max_read.end() && count > limit->second) {
      return {BusError::kIllegalAddress, "illegal data address", {}};
    }
    BusRead read;
    for (uint32_t a = address; a < address + count; ++a) {
      const auto cell = state_->cells.find({slave, kind, a});
      if (cell == state_->cells.end()) return {BusError::kIllegalAddress, "illegal data address", {}};
      read.words.push_back(cell->second);
    }
    return read;
  }

 private:
  std::shared_ptr<State> state_;
  bool connected_ = false;
};

}  // namespace ef::testing
