#include "tests/integration/telemetry_workload.h"

#include <cstdio>

namespace ef::testkit {

std::vector<std::string> TelemetryWorkload::DeviceIds() const {
  std::vector<std::string> ids;
  for (int i = 0; i < devices; ++i) ids.push_back(DeviceId(i));
  return ids;
}

std::string TelemetryWorkload::DeviceId(int index) {
  char id[16];
  std::snprintf(id, sizeof id, "dev-%02d", index);
  return id;
}

std::string TelemetryWorkload::Topic(const std::string& device) {
  return "plant/" + device + "/telemetry";
}

std::string TelemetryWorkload::Payload(const std::string& device, int64_t n) {
  char payload[96];
  std::snprintf(payload, sizeof payload, R"({"device":"%s","n":%lld,"temp":%.1f})", device.c_str(),
                static_cast<long long>(n), 18.0 + static_cast<double>(n % 80) / 10);
  return payload;
}

bool PublishTelemetry(TestPublisher& publisher, const TelemetryWorkload& workload,
                      Deadline deadline, std::string* error) {
  for (int i = 0; i < workload.total; ++i) {
    std::string device = TelemetryWorkload::DeviceId(i % workload.devices);
    int64_t n = i / workload.devices;
    if (!publisher.Publish(TelemetryWorkload::Topic(device), TelemetryWorkload::Payload(device, n),
                           deadline)) {
      *error = "publish " + std::to_string(i) + ": " + publisher.error();
      return false;
    }
  }
  if (publisher.WaitAllAcked(deadline)) return true;
  *error = "waiting for PUBACKs: " + publisher.error();
  return false;
}

}  // namespace ef::testkit
