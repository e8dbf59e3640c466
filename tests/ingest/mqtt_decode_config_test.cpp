// The decoding keys of [[sources.mqtt]] bind with positions for their errors.
#include <doctest/doctest.h>

#include "daemon/daemon_config.h"

namespace ef::daemon {
namespace {

constexpr char kSource[] =
    "[[sources.mqtt]]\nname = \"edge\"\nuri = \"tcp://127.0.0.1:1883\"\n";

TEST_CASE("decoding keys bind onto the source's DecodeSpec") {
  DaemonConfig config;
  const auto errors = LoadConfigText(
      std::string(kSource) +
          "topic_template = \"plant/{site}/{device}/telemetry\"\ndata_format = \"json\"\n"
          "fields = [\"temp\", \"sensors.hum\"]\ntime_field = \"ts\"\ntime_format = \"unix_ms\"\n",
      "gw.toml", &config);
  REQUIRE(errors.empty());
  const auto& mqtt = std::get<connectors::MqttSourceConfig>(config.sources[0]);
  CHECK(mqtt.decode.format == DataFormat::kJson);
  CHECK(mqtt.decode.time_format == TimeFormat::kUnixMs);
  CHECK(mqtt.decode.fields.size() == 2);
  CHECK(mqtt.decode.topic_template == "plant/{site}/{device}/telemetry");
}

TEST_CASE("a bad format or template is an error at its position") {
  DaemonConfig config;
  auto errors = LoadConfigText(std::string(kSource) + "data_format = \"xml\"\n", "gw.toml", &config);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].starts_with("gw.toml:4:15"));
  CHECK(errors[0].find("\"json\"") != std::string::npos);
  errors = LoadConfigText(std::string(kSource) + "topic_template = \"a/#/{device}\"\n", "gw.toml",
                          &config);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].starts_with("gw.toml:4:"));
  errors = LoadConfigText(std::string(kSource) + "time_fromat = \"unix\"\n", "gw.toml", &config);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].find("time_format") != std::string::npos);
}

}  // namespace
}  // namespace ef::daemon
