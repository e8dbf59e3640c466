// Bad input through a real Mosquitto, sent by an independent client (mosquitto_pub): each
// message ends as an accepted event or a dead letter with its reason; the daemon never
// crashes, and its peak memory is printed (bounded by max_payload_bytes: a 1 MiB payload is
// never copied).
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <string>

#include "tests/integration/gateway_rig.h"
#include "tests/support/process.h"

namespace ef::testkit {
namespace {

using std::chrono::seconds;

constexpr char kSource[] =
    "[[sources.mqtt]]\n"
    "name = \"decoded\"\n"
    "uri = \"{edge_uri}\"\n"
    "client_id = \"edgeferry-bad-input-test\"\n"
    "topics = [\"site/#\"]\n"
    "topic_template = \"site/{site}/{device}/data\"\n"
    "data_format = \"json\"\n"
    "time_field = \"ts\"\n"
    "time_format = \"unix_ms\"\n";

struct Case {
  std::string device;   // each case has its own device (the topic's level)
  std::string payload;  // "" = an empty message
  std::string reason;   // a dead letter's reason contains it; "" = accepted
  std::string topic = {};  // default: site/north/<device>/data
};

std::vector<Case> Cases() {
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "{\"a\":";
  deep += "1" + std::string(10000, '}');
  return {
      {"good", R"({"ts":1700000000000,"v":1})", ""},
      {"truncated", R"({"ts":1700000000000,"v":)", "invalid JSON"},
      {"wrong-type", R"({"v":"hot"})", ""},  // no contract: a string is a string
      {"nan", R"({"v":NaN})", "invalid JSON"},
      {"infinity", R"({"v":-Infinity})", "invalid JSON"},
      {"out-of-range", R"({"v":1e999})", "invalid JSON"},
      {"one-mib", "{\"v\":\"" + std::string(1 << 20, 'x') + "\"}", "exceeds max_payload_bytes"},
      {"utf8", "{\"v\":\"\xc3\x28\"}", "invalid JSON"},
      {"deep", deep, "nested deeper"},
      {"empty", "", "empty payload"},
      {"dup", R"({"v":1,"v":2})", "appears twice"},
      {"nodevice", R"({"v":1})", "does not fit topic_template", "site/nodevice"},
      {"future", R"({"ts":99999999999999,"v":1})", "after 2099"},
      {"pre-1970", R"({"ts":-1000,"v":1})", "before 1970"},
  };
}

// Publishes with mosquitto_pub at QoS 1 (it waits for the broker's PUBACK).
bool MosquittoPub(const TempDir& dir, uint16_t port, const Case& c) {
  const auto file = dir.File("payload-" + c.device);
  std::ofstream(file, std::ios::binary) << c.payload;
  const std::string topic = c.topic.empty() ? "site/north/" + c.device + "/data" : c.topic;
  ProcessOptions spawn;
  spawn.argv = {"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(port), "-q", "1",
                "-i", "ef-bad-input-" + c.device, "-t", topic};
  if (c.payload.empty()) {
    spawn.argv.push_back("-n");
  } else {
    spawn.argv.insert(spawn.argv.end(), {"-f", file.string()});
  }
  spawn.log_file = dir.File("mosquitto_pub.log");
  Process pub(std::move(spawn));
  return pub.Wait(DeadlineIn(seconds(20))) == 0;
}

std::string Run(const std::vector<std::string>& argv, const TempDir& dir) {
  ProcessOptions spawn;
  spawn.argv = argv;
  spawn.log_file = dir.File("cli.out");
  std::filesystem::remove(spawn.log_file);
  Process cli(std::move(spawn));
  REQUIRE(cli.Wait(DeadlineIn(seconds(20))) == 0);
  return cli.Log();
}

std::string PeakRss(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return line;
  }
  return "VmHWM: unknown";
}

TEST_CASE("bad payloads end as accepted events or dead letters with reasons: no crash") {
  GatewayOptions options;
  options.sources_toml = kSource;
  options.uplink = false;  // everything stays in the queue, to be read back
  GatewayRig rig(options);
  TempDir dir("ef-bad-input");
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));

  const std::vector<Case> cases = Cases();
  size_t accepted = 0;
  for (const Case& c : cases) {
    INFO("case " << c.device);
    REQUIRE(MosquittoPub(dir, rig.edge().port(), c));
    accepted += c.reason.empty();
  }
  std::string error;
  REQUIRE_MESSAGE(WaitUntil(DeadlineIn(seconds(30)),
                            [&] {
                              auto stats = rig.ReadStats(DeadlineIn(seconds(10)), &error);
                              return stats && stats->events + stats->dead_letters == cases.size();
                            }),
                  error);
  CHECK(rig.DaemonRunning());
  MESSAGE("daemon peak memory after the bad input: " << PeakRss(rig.DaemonPid()));
  REQUIRE(rig.StopDaemon(DeadlineIn(seconds(30))) == 0);

  auto stats = rig.ReadStats(DeadlineIn(seconds(10)), &error);
  REQUIRE_MESSAGE(stats, error);
  CHECK(stats->events == accepted);
  const std::string listing = Run({GatewayRig::EdgeferryBinary(), "queue", "dlq", "list",
                                   "--data-dir", rig.data_dir().string()},
                                  dir);
  INFO("dlq list:\n" << listing);
  for (const Case& c : cases) {
    if (c.reason.empty()) continue;
    // Refused before decoding (its topic template not applied): the device of the topic's
    // level 1, "north"; the other cases by their own device.
    const bool oversized = c.payload.size() > 262144;
    const std::string device = oversized ? "north" : c.topic.empty() ? c.device : "nodevice";
    const size_t line = listing.find("device " + device + " ");
    INFO("case " << c.device);
    REQUIRE(line != std::string::npos);
    const std::string text = listing.substr(line, listing.find('\n', line) - line);
    CHECK(text.find(c.reason) != std::string::npos);
  }
}

}  // namespace
}  // namespace ef::testkit
