#include <doctest/doctest.h>

#include "connectors/mqtt/mqtt_config.h"

namespace ef::connectors {

TEST_CASE("the device id comes from the configured topic level") {
  CHECK(DeviceIdFromTopic("plant/dev-07/telemetry", 1) == "dev-07");
  CHECK(DeviceIdFromTopic("plant/dev-07/telemetry", 0) == "plant");
  CHECK(DeviceIdFromTopic("plant/dev-07/telemetry", 2) == "telemetry");
  CHECK(DeviceIdFromTopic("plant/dev-07", 5) == "dev-07");  // shorter topic: the last level
  CHECK(DeviceIdFromTopic("dev-07", 1) == "dev-07");
}

}  // namespace ef::connectors
