#include "tests/integration/steady_publish.h"

#include <chrono>

#include "tests/integration/telemetry_workload.h"
#include "tests/support/test_publisher.h"

namespace ef::testkit {

namespace {
constexpr auto kTick = std::chrono::milliseconds(5);
constexpr auto kMaxLag = std::chrono::milliseconds(50);
}  // namespace

SteadyPublish::SteadyPublish(std::string uri, SteadyLoad load)
    : load_(load), thread_([this, uri = std::move(uri)] { Run(uri); }) {}

SteadyPublish::~SteadyPublish() {
  if (thread_.joinable()) Stop(DeadlineIn(std::chrono::seconds(30)));
}

void SteadyPublish::Run(const std::string& uri) {
  TestPublisher publisher(PublisherOptions{
      .uri = uri, .client_id = "ef-test-steady-publisher", .qos = 1, .max_inflight = 100});
  const auto far = [] { return DeadlineIn(std::chrono::seconds(60)); };
  if (!publisher.Connect(DeadlineIn(std::chrono::seconds(15)))) {
    error_ = "connect: " + publisher.error();
    return;
  }
  auto start = SteadyNow();
  size_t start_index = 0;
  size_t i = 0;
  const auto devices = static_cast<size_t>(load_.devices);
  const auto max_lag =
      static_cast<size_t>(load_.rate * std::chrono::duration<double>(kMaxLag).count());
  while (!stop_.load() || i % devices != 0) {
    const auto now = SteadyNow();
    const double elapsed = std::chrono::duration<double>(now - start).count();
    auto due = start_index + static_cast<size_t>(elapsed * load_.rate);
    if (stop_.load()) {
      due = i + (devices - i % devices);  // finish the round
    } else if (i + max_lag < due) {       // the broker held us up: re-anchor, do not burst
      start = now;
      start_index = i;
      due = i;
    }
    for (; i < due; ++i) {
      const std::string device = TelemetryWorkload::DeviceId(static_cast<int>(i % devices));
      const auto n = static_cast<int64_t>(i / devices);
      if (!publisher.Publish(TelemetryWorkload::Topic(device),
                             TelemetryWorkload::Payload(device, n), far())) {
        error_ = "publish " + std::to_string(i) + ": " + publisher.error();
        return;
      }
      published_.store(i + 1, std::memory_order_relaxed);
    }
    if (!stop_.load()) HoldUntil(now + kTick);  // the pacing itself: a deliberate pause
  }
  const Deadline acked_by{Deadline::duration(stop_deadline_.load())};
  ok_ = publisher.WaitAllAcked(acked_by);
  if (!ok_) error_ = "waiting for PUBACKs: " + publisher.error();
}

bool SteadyPublish::Stop(Deadline deadline) {
  stop_deadline_.store(deadline.time_since_epoch().count());
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  return ok_;
}

}  // namespace ef::testkit
