#include "tests/integration/plant_load.h"

#include <cstdio>

namespace ef::testkit {

std::string PlantLoad::DeviceId(int device) const {
  char number[16];
  std::snprintf(number, sizeof number, "-%02d", device);
  return device_prefix + number;
}

std::vector<std::string> PlantLoad::DeviceIds() const {
  std::vector<std::string> ids;
  for (int i = 0; i < devices; ++i) ids.push_back(DeviceId(i));
  return ids;
}

std::string PlantLoad::Topic(int device) const { return "plant/" + DeviceId(device) + "/" + kind; }

std::string PlantLoad::Payload(int device, int64_t n) const {
  char head[128];
  std::snprintf(head, sizeof head, R"({"device":"%s","n":%lld,"temp":%.1f)",
                DeviceId(device).c_str(), static_cast<long long>(n),
                18.0 + static_cast<double>(n % 80) / 10);
  std::string payload = head;
  if (pad > 0) payload += R"(,"pad":")" + std::string(pad, 'x') + "\"";
  return payload + "}";
}

bool PublishPlant(TestPublisher& publisher, const PlantLoad& load, Deadline deadline,
                  std::string* error) {
  const auto start = SteadyNow();
  for (int i = load.first; i < load.first + load.total; ++i) {
    if (load.rate_per_s > 0) {
      // Pacing is the point here (a steady stream), not a wait for a condition.
      const int sent = i - load.first;
      HoldUntil(start + std::chrono::microseconds(int64_t{sent} * 1'000'000 / load.rate_per_s));
    }
    const int device = i % load.devices;
    if (!publisher.Publish(load.Topic(device), load.Payload(device, i / load.devices), deadline)) {
      *error = "publish " + std::to_string(i) + ": " + publisher.error();
      return false;
    }
  }
  if (publisher.WaitAllAcked(deadline)) return true;
  *error = "waiting for PUBACKs: " + publisher.error();
  return false;
}

BackgroundPlantLoad::BackgroundPlantLoad(std::string uri, PlantLoad load, Deadline deadline,
                                         std::string client_id)
    : thread_([this, uri = std::move(uri), load = std::move(load), deadline,
               client_id = std::move(client_id)] {
        TestPublisher publisher(
            PublisherOptions{.uri = uri, .client_id = client_id, .qos = 1, .max_inflight = 100});
        if (!publisher.Connect(deadline)) {
          error_ = "connect: " + publisher.error();
          return;
        }
        ok_ = PublishPlant(publisher, load, deadline, &error_);
      }) {}

bool BackgroundPlantLoad::Join() {
  if (thread_.joinable()) thread_.join();
  return ok_;
}

}  // namespace ef::testkit
