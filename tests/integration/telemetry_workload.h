// The telemetry stream the integration tests send through edgeferry: `total` QoS 1 messages
// spread round-robin over `devices` devices. Message i goes to device i % devices and carries
// that device's counter n = i / devices, so each device's messages are numbered 0, 1, 2, ...
//
// Thread-safety: a workload is an immutable value; PublishTelemetry uses the publisher from
// the calling thread only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/test_publisher.h"
#include "tests/support/wait.h"

namespace ef::testkit {

struct TelemetryWorkload {
  int devices = 20;
  int total = 10'000;

  int64_t PerDevice() const { return total / devices; }
  std::vector<std::string> DeviceIds() const;

  static std::string DeviceId(int index);               // "dev-07"
  static std::string Topic(const std::string& device);  // "plant/dev-07/telemetry"
  // {"device":"dev-07","n":123,"temp":21.5} with a temperature derived from n.
  static std::string Payload(const std::string& device, int64_t n);
};

// Publishes the whole workload in order and waits for every PUBACK. Returns false with
// *error set if a publish fails or the deadline passes.
bool PublishTelemetry(TestPublisher& publisher, const TelemetryWorkload& workload,
                      Deadline deadline, std::string* error);

}  // namespace ef::testkit
