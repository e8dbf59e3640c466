// ForwarderRig: a Forwarder wired to a MemStore, a RecordingPublisher and a ManualClock, for
// the forwarder's unit tests. The options get gateway "gw" and no drain timeout; Append()
// commits events and wakes the forwarder, as the pipeline does. Used from one test thread
// (the forwarder runs its own, which Stop() or the destructor joins).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "core/log.h"
#include "storage/mem_store.h"
#include "tests/fakes/manual_clock.h"
#include "tests/fakes/recording_publisher.h"
#include "uplink/forwarder.h"

namespace ef::testing {

// `n` events of `stream` from devices dev-0 and dev-1 in turn, with a JSON `payload`.
inline std::vector<Event> JsonEvents(int n, const std::string& stream = "telemetry",
                                     const std::string& payload = "{}", int64_t ingest_ms = 0) {
  std::vector<Event> events(static_cast<size_t>(n));
  for (size_t i = 0; i < events.size(); ++i) {
    events[i].stream = stream;
    events[i].device_id = "dev-" + std::to_string(i % 2);
    events[i].format = PayloadFormat::kJson;
    events[i].payload = payload;
    events[i].ingest_time_ms = ingest_ms;
  }
  return events;
}

struct ForwarderRig {
  storage::MemStore store;
  RecordingPublisher publisher;
  ManualClock clock;
  Logger log{LogLevel::kError};
  MetricsRegistry metrics;
  std::unique_ptr<uplink::Forwarder> forwarder;

  explicit ForwarderRig(uplink::ForwarderOptions options) {
    options.gateway_id = "gw";
    options.drain_timeout = std::chrono::milliseconds(0);
    forwarder = std::make_unique<uplink::Forwarder>(store, publisher, clock, log, metrics,
                                                    options);
  }
  void Append(std::vector<Event> events) {
    REQUIRE(store.Append(events).ok());
    forwarder->Wake();
  }
  uint64_t Stored() { return store.Stats()->events; }
};

}  // namespace ef::testing
