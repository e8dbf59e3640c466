// The messages the uplink tests publish to the edge broker: `total` QoS 1 messages
// round-robin over `devices` devices on "plant/dev-NN/<kind>" (kind "telemetry" or "alerts").
// Message i (counting from `first`) goes to device i % devices ("<device_prefix>-NN") and carries
// that device's
// counter n = i / devices, so CloudCollector::MissingCounters can name any loss. `pad` adds a
// string field of that many bytes, to make events as large as a test needs; `rate_per_s`
// paces the stream (0: as fast as the broker acknowledges).
//
// Thread-safety: a PlantLoad is an immutable value; PublishPlant uses the publisher from the
// calling thread only. BackgroundPlantLoad owns its thread.
#pragma once

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/test_publisher.h"
#include "tests/support/wait.h"

namespace ef::testkit {

struct PlantLoad {
  int devices = 10;
  int first = 0;  // index of the first message (continues an earlier load)
  int total = 1000;
  std::string kind = "telemetry";
  std::string device_prefix = "dev";  // distinct prefixes keep two loads' devices apart
  size_t pad = 0;                     // bytes of padding in each payload
  int rate_per_s = 0;                 // 0 = unpaced

  int64_t PerDevice() const { return (first + total) / devices; }  // counters 0..PerDevice()-1
  std::vector<std::string> DeviceIds() const;
  std::string DeviceId(int device) const;  // "dev-07"
  std::string Topic(int device) const;
  std::string Payload(int device, int64_t n) const;
};

// Publishes the whole load in order and waits for every PUBACK; false with *error otherwise.
bool PublishPlant(TestPublisher& publisher, const PlantLoad& load, Deadline deadline,
                  std::string* error);

// PublishPlant on a thread of its own (own client id), so the test can break things meanwhile.
class BackgroundPlantLoad {
 public:
  BackgroundPlantLoad(std::string uri, PlantLoad load, Deadline deadline,
                      std::string client_id = "ef-test-plant-load");
  bool Join();                                         // true if every message was acknowledged
  const std::string& error() const { return error_; }  // valid after Join()

 private:
  bool ok_ = false;
  std::string error_;
  std::jthread thread_;  // last: starts after the fields it writes exist
};

}  // namespace ef::testkit
