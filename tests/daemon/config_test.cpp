// Configuration errors name the exact file:line:col, as `edgeferry check` prints them.
#include <doctest/doctest.h>

#include <map>

#include "daemon/daemon_config.h"

namespace ef::daemon {
namespace {

std::vector<std::string> Errors(std::string_view text) {
  DaemonConfig config;
  return LoadConfigText(text, "gw.toml", &config);
}

constexpr char kValidSource[] = "[[sources.mqtt]]\nname = \"edge\"\nuri = \"tcp://127.0.0.1:1883\"\n";

TEST_CASE("a valid file loads with its values and the machine defaults") {
  DaemonConfig config;
  const auto errors = LoadConfigText(
      "[gateway]\nid = \"gw-1\"\ndata_dir = \"/tmp/x\"\n"
      "[[sources.mqtt]]\nname = \"edge\"\nuri = \"tcp://127.0.0.1:1883\"\n"
      "topics = [\"plant/+/telemetry\"]\n"
      "[queue]\ncommit_interval_ms = 5\n"
      "[uplink]\nuri = \"ssl://cloud.example:8883\"\n",
      "gw.toml", &config);
  REQUIRE(errors.empty());
  CHECK(config.gateway.id == "gw-1");
  REQUIRE(config.sources.size() == 1);
  const auto& edge = std::get<connectors::MqttSourceConfig>(config.sources[0]);
  CHECK(edge.topics == std::vector<std::string>{"plant/+/telemetry"});
  CHECK(edge.client_id == "edgeferry-gw-1-edge");
  CHECK(config.queue.commit_interval_ms == 5);
  REQUIRE(config.uplink.has_value());
  CHECK(config.uplink->client_id == "edgeferry-gw-1");
  CHECK(config.uplink->max_inflight == 100);
}

TEST_CASE("the embedded defaults ingest from the local broker and have no uplink") {
  DaemonConfig config;
  REQUIRE(LoadConfig("", &config).empty());
  REQUIRE(config.sources.size() == 1);
  CHECK(std::get<connectors::MqttSourceConfig>(config.sources[0]).uri == "tcp://127.0.0.1:1883");
  CHECK_FALSE(config.uplink.has_value());
  CHECK_FALSE(config.gateway.data_dir.empty());
}

TEST_CASE("an unknown key is reported at its position with a hint") {
  const auto errors = Errors(std::string(kValidSource) + "[uplink]\nuri = \"tcp://c:1\"\nmax_inflite = 5\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] ==
        "gw.toml:6:1: unknown key 'max_inflite' in [uplink] (did you mean 'max_inflight'?)");
}

TEST_CASE("an unknown key with nothing close gets no hint") {
  const auto errors = Errors(std::string(kValidSource) + "[queue]\n  colour = 1\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "gw.toml:5:3: unknown key 'colour' in [queue]");
}

TEST_CASE("an unknown section is reported with a hint") {
  const auto errors = Errors(std::string(kValidSource) + "[uplnk]\nuri = \"tcp://c:1\"\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "gw.toml:4:2: unknown key 'uplnk' in the top level (did you mean 'uplink'?)");
}

TEST_CASE("a wrong type names the key and both types") {
  const auto errors = Errors(std::string(kValidSource) + "[queue]\ncommit_interval_ms = \"10\"\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] ==
        "gw.toml:5:22: 'commit_interval_ms' in [queue] must be an integer, not a string");
}

TEST_CASE("a missing required key names the key at the table header") {
  const auto errors = Errors(std::string(kValidSource) + "\n[uplink]\nqos = 1\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "gw.toml:5:1: missing required key 'uri' (or 'uris') in [uplink]");
}

TEST_CASE("a bad URI is reported at the value") {
  const auto errors = Errors("[[sources.mqtt]]\nname = \"edge\"\nuri = \"http://x:1883\"\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] ==
        "gw.toml:3:7: 'uri': URI 'http://x:1883' must start with tcp:// or ssl://");
  const auto port = Errors("[[sources.mqtt]]\nname = \"edge\"\nuri = \"tcp://x:99999\"\n");
  REQUIRE(port.size() == 1);
  CHECK(port[0] == "gw.toml:3:7: 'uri': URI 'tcp://x:99999' has an invalid port");
}

TEST_CASE("catch_up is live_first by default, in_order for alerts, and checked") {
  DaemonConfig config;
  REQUIRE(LoadConfigText(std::string(kValidSource) + "[streams.lab]\ncatch_up = \"in_order\"\n",
                         "gw.toml", &config)
              .empty());
  std::map<std::string, bool> live_first;
  for (const auto& s : config.stream_schedules) live_first[s.name] = s.live_first;
  CHECK(live_first["telemetry"]);
  CHECK_FALSE(live_first["alerts"]);
  CHECK_FALSE(live_first["lab"]);
  const auto errors = Errors(std::string(kValidSource) + "[streams.lab]\ncatch_up = \"lifo\"\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "gw.toml:5:12: 'catch_up': must be \"live_first\" or \"in_order\", not \"lifo\"");
}

TEST_CASE("every enumerated setting names its choices at the value's position") {
  struct Case {
    const char* toml;
    const char* error;
  };
  const Case cases[] = {
      {"[queue]\ndurability = \"fast\"\n",
       "gw.toml:5:14: 'durability': must be \"normal\" or \"full\", not \"fast\""},
      {"[streams.lab]\noverflow = \"drop_newest\"\n",
       "gw.toml:5:12: 'overflow': must be \"drop_oldest\", \"reject_new\" or \"backpressure\", "
       "not \"drop_newest\""},
      {"[streams.lab]\ncatch_up = \"lifo\"\n",
       "gw.toml:5:12: 'catch_up': must be \"live_first\" or \"in_order\", not \"lifo\""},
      {"[uplink]\nuri = \"tcp://c:1\"\nbatch = \"xml\"\n",
       "gw.toml:6:9: 'batch': must be \"json\", \"ndjson\" or \"none\", not \"xml\""},
      {"[uplink]\nuri = \"tcp://c:1\"\ncompression = \"gzip\"\n",
       "gw.toml:6:15: 'compression': must be \"none\" or \"zstd\", not \"gzip\""},
      {"[uplink]\nuri = \"tcp://c:1\"\nprofile = \"gcp\"\n",
       "gw.toml:6:11: 'profile': must be \"generic\", \"aws-iot-core\" or \"azure-iot-hub\", "
       "not \"gcp\""},
      {"[gateway]\nclock_sync = \"ntp\"\n",
       "gw.toml:5:14: 'clock_sync': must be \"kernel\" or \"assume_synced\", not \"ntp\""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.toml);
    const auto errors = Errors(std::string(kValidSource) + c.toml);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == c.error);
  }
}

TEST_CASE("an enumerated setting of another type is a type error") {
  const auto errors =
      Errors(std::string(kValidSource) + "[uplink]\nuri = \"tcp://c:1\"\nbatch = 1\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "gw.toml:6:9: 'batch' in [uplink] must be a string, not an integer");
}

TEST_CASE("enumerated settings are bound to their values") {
  DaemonConfig config;
  REQUIRE(LoadConfigText(std::string(kValidSource) +
                             "[queue]\ndurability = \"full\"\n"
                             "[streams.telemetry]\noverflow = \"backpressure\"\n"
                             "[uplink]\nprofile = \"aws-iot-core\"\nuri = \"ssl://c:8883\"\n"
                             "batch = \"ndjson\"\ncompression = \"zstd\"\n",
                         "gw.toml", &config)
              .empty());
  CHECK(config.queue.durability == storage::Durability::kFull);
  CHECK(storage::DurabilityName(config.queue.durability) == "full");
  CHECK(storage::ToStorePolicy(config.queue).For("telemetry").overflow ==
        storage::Overflow::kBackpressure);
  REQUIRE(config.uplink.has_value());
  CHECK(config.uplink->profile == uplink::CloudProfile::kAwsIotCore);
  CHECK(config.uplink->batch == uplink::BatchFormat::kNdjson);  // explicit wins over the profile
  CHECK(config.uplink->compression == uplink::Compression::kZstd);
}

const uplink::StreamSchedule* ScheduleOf(const DaemonConfig& config, const std::string& name) {
  for (const auto& s : config.stream_schedules) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

TEST_CASE("[streams.NAME]: storage and the uplink each bind their own keys") {
  DaemonConfig config;
  REQUIRE(LoadConfigText(std::string(kValidSource) +
                             "[streams.lab]\npriority = 70\nmin_share = 0.25\n"
                             "catch_up = \"in_order\"\nmax_bytes = 4096\nttl_s = 60\n"
                             "overflow = \"reject_new\"\n",
                         "gw.toml", &config)
              .empty());
  const storage::StorePolicy policy = storage::ToStorePolicy(config.queue);
  const storage::StreamPolicy& stored = policy.For("lab");
  CHECK(stored.name == "lab");
  CHECK(stored.priority == 70);  // the store evicts by priority too
  CHECK(stored.max_bytes == 4096);
  CHECK(stored.ttl_ms == 60'000);
  CHECK(stored.overflow == storage::Overflow::kRejectNew);
  const uplink::StreamSchedule* scheduled = ScheduleOf(config, "lab");
  REQUIRE(scheduled != nullptr);
  CHECK(scheduled->priority == 70);
  CHECK(scheduled->min_share == doctest::Approx(0.25));
  CHECK_FALSE(scheduled->live_first);
}

TEST_CASE("[streams.NAME]: a key neither owner knows is reported once, hinted from both") {
  struct Case {
    const char* key;
    const char* error;
  };
  const Case cases[] = {
      {"prioirty",
       "gw.toml:5:1: unknown key 'prioirty' in [streams.lab] (did you mean 'priority'?)"},
      {"min_shar",
       "gw.toml:5:1: unknown key 'min_shar' in [streams.lab] (did you mean 'min_share'?)"},
      {"ttl_sec", "gw.toml:5:1: unknown key 'ttl_sec' in [streams.lab] (did you mean 'ttl_s'?)"},
      {"colour", "gw.toml:5:1: unknown key 'colour' in [streams.lab]"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.key);
    const auto errors =
        Errors(std::string(kValidSource) + "[streams.lab]\n" + c.key + " = 1\nttl_s = 5\n");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == c.error);
  }
  const auto not_table = Errors(std::string(kValidSource) + "[streams]\nlab = 1\n");
  REQUIRE(not_table.size() == 1);
  CHECK(not_table[0] == "gw.toml:5:7: 'streams.lab' must be a table: write [streams.lab]");
}

TEST_CASE("the default streams are unchanged, for storage and for the uplink alike") {
  DaemonConfig config;
  REQUIRE(LoadConfigText(kValidSource, "gw.toml", &config).empty());
  const std::map<std::string, int64_t> priorities = {
      {"telemetry", 10}, {"aggregates", 50}, {"alerts", 100}};
  REQUIRE(config.queue.streams.size() == 3);
  for (const storage::StreamConfig& s : config.queue.streams) {
    CAPTURE(s.name);
    CHECK(s.priority == priorities.at(s.name));
    CHECK(s.max_bytes == 0);
    CHECK(s.ttl_s == 0);
    CHECK(s.overflow == storage::Overflow::kDropOldest);
  }
  REQUIRE(config.stream_schedules.size() == 3);
  for (const uplink::StreamSchedule& s : config.stream_schedules) {
    CAPTURE(s.name);
    CHECK(s.priority == priorities.at(s.name));
    CHECK(s.min_share == doctest::Approx(0.1));
    CHECK(s.live_first == (s.name != "alerts"));
    CHECK_FALSE(s.catch_up);
  }
}

TEST_CASE("a TOML syntax error is reported where the parser stopped") {
  const auto errors = Errors("[gateway]\nid = \"unterminated\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].rfind("gw.toml:2:", 0) == 0);
}

TEST_CASE("every error is reported, not just the first") {
  const auto errors = Errors(
      "[[sources.mqtt]]\nname = \"a\"\nuri = \"tcp://h:1\"\nqos = 2\n"
      "[[sources.mqtt]]\nname = \"a\"\nuri = \"tcp://h:1\"\n"
      "[queue]\ndurability = \"fast\"\n");
  REQUIRE(errors.size() == 3);
  CHECK(errors[0] == "gw.toml:4:7: 'qos': QoS must be 0 or 1");
  CHECK(errors[1] == "gw.toml:6:8: duplicate source name 'a'");
  CHECK(errors[2] == "gw.toml:9:14: 'durability': must be \"normal\" or \"full\", not \"fast\"");
}

TEST_CASE("a file without sources is an error") {
  const auto errors = Errors("[gateway]\nid = \"x\"\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "gw.toml:1:1: no source configured: add at least one [[sources.mqtt]] table");
}

}  // namespace
}  // namespace ef::daemon

namespace ef::daemon {
namespace {

TEST_CASE("[metrics] defaults to 127.0.0.1:9102, enabled, and binds its keys") {
  DaemonConfig defaults;
  REQUIRE(LoadConfigText(kValidSource, "gw.toml", &defaults).empty());
  CHECK(defaults.metrics.enabled);
  CHECK(defaults.metrics.listen == "127.0.0.1:9102");
  CHECK(defaults.metrics.stall_timeout_s == 30);
  CHECK(defaults.metrics.max_devices == 1000);
  DaemonConfig config;
  REQUIRE(LoadConfigText(std::string(kValidSource) +
                             "[metrics]\nenabled = false\nlisten = \"[::1]:9200\"\n"
                             "stall_timeout_s = 5\nmax_devices = 0\n",
                         "gw.toml", &config)
              .empty());
  CHECK_FALSE(config.metrics.enabled);
  CHECK(config.metrics.listen == "[::1]:9200");
  CHECK(config.metrics.stall_timeout_s == 5);
  CHECK(config.metrics.max_devices == 0);
}

TEST_CASE("[metrics] listen must be host:port") {
  const auto errors = Errors(std::string(kValidSource) + "[metrics]\nlisten = \"9102\"\n");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].starts_with("gw.toml:5:10: 'listen': must be \"host:port\""));
}

TEST_CASE("ParseListenAddress splits host and port, IPv6 in brackets") {
  std::string host;
  uint16_t port = 1;
  CHECK(ParseListenAddress("127.0.0.1:9102", &host, &port));
  CHECK(host == "127.0.0.1");
  CHECK(port == 9102);
  CHECK(ParseListenAddress("[::1]:0", &host, &port));
  CHECK(host == "::1");
  CHECK(port == 0);
  CHECK_FALSE(ParseListenAddress(":9102", &host, &port));
  CHECK_FALSE(ParseListenAddress("::1:9102", &host, &port));
  CHECK_FALSE(ParseListenAddress("localhost:65536", &host, &port));
  CHECK_FALSE(ParseListenAddress("localhost:", &host, &port));
  CHECK_FALSE(ParseListenAddress("localhost:9x", &host, &port));
}

}  // namespace
}  // namespace ef::daemon

namespace ef::daemon {
namespace {

TEST_CASE("[completeness] binds its keys and the declared intervals per device") {
  DaemonConfig config;
  REQUIRE(LoadConfigText(std::string(kValidSource) +
                             "[completeness]\nenabled = true\nwindow_s = 60\ngap_intervals = 2.5\n"
                             "[completeness.expected_interval_ms]\n\"dev-01\" = 1000\n",
                         "gw.toml", &config)
              .empty());
  CHECK(config.completeness.enabled);
  CHECK(config.completeness.window_s == 60);
  CHECK(config.completeness.gap_intervals == 2.5);
  CHECK(config.completeness.expected_interval_ms.at("dev-01") == 1000);
  const auto errors = Errors(std::string(kValidSource) +
                             "[completeness]\nwindow = 60\n"
                             "[completeness.expected_interval_ms]\n\"dev-01\" = \"1s\"\n");
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].starts_with("gw.toml:5:1: unknown key 'window' in [completeness]"));
  CHECK(errors[1] == "gw.toml:7:12: 'dev-01': the expected interval must be a positive integer "
                     "(milliseconds)");
}

}  // namespace
}  // namespace ef::daemon
