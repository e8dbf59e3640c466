// Data contracts in a running daemon, through a real broker: messages of v1 and v2 reach the
// cloud normalised to v2, a violation becomes a dead letter naming contract, version, field
// and reason; `edgeferry check` refuses an incompatible evolution with its file:line:col.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/integration/gateway_rig.h"
#include "tests/support/cloud_collector.h"
#include "tests/support/process.h"

namespace ef::testkit {
namespace {

using std::chrono::seconds;

constexpr char kSource[] =
    "[[sources.mqtt]]\n"
    "name = \"decoded\"\n"
    "uri = \"{edge_uri}\"\n"
    "client_id = \"edgeferry-contract-test\"\n"
    "topics = [\"site/#\"]\n"
    "topic_template = \"site/{site}/{device}/data\"\n"
    "data_format = \"json\"\n";

constexpr char kContract[] = R"(name = "pump"
topic_template = "site/{site}/{device}/data"
version_field = "schema"
[[versions]]
version = 1
[[versions.fields]]
name = "site"
type = "string"
[[versions.fields]]
name = "t"
type = "int"
required = true
min = -40
max = 150
[[versions]]
version = 2
[[versions.fields]]
name = "site"
type = "string"
[[versions.fields]]
name = "temp"
renamed_from = "t"
type = "float"
required = true
min = -40
max = 150
[[versions.fields]]
name = "rpm"
type = "int"
default = 0
)";

void WriteContract(const std::filesystem::path& config_file, const std::string& text) {
  const auto dir = config_file.parent_path() / "contracts.d";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "pump.toml") << text;
}

std::string RunCli(const std::vector<std::string>& argv, const std::filesystem::path& out,
                   int* status) {
  ProcessOptions spawn;
  spawn.argv = argv;
  spawn.log_file = out;
  std::filesystem::remove(out);
  Process cli(std::move(spawn));
  *status = cli.Wait(DeadlineIn(seconds(20))).value_or(-1);
  return cli.Log();
}

TEST_CASE("contract: v1 and v2 messages arrive as v2: a violation is a dead letter") {
  GatewayOptions options;
  options.sources_toml = kSource;
  GatewayRig rig(options);
  WriteContract(rig.config_file(), kContract);
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  CloudCollector collector(rig.CloudCollectorOptions());
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));

  TestPublisher publisher(rig.EdgePublisherOptions());
  REQUIRE_MESSAGE(publisher.Connect(DeadlineIn(seconds(15))), publisher.error());
  const auto in = [] { return DeadlineIn(seconds(10)); };
  REQUIRE(publisher.Publish("site/north/old/data", R"({"t":41})", in()));
  REQUIRE(publisher.Publish("site/north/bad/data", R"({"t":"hot"})", in()));
  REQUIRE(publisher.Publish("site/north/new/data", R"({"schema":2,"temp":20.5,"rpm":7})", in()));
  REQUIRE(publisher.WaitAllAcked(in()));
  REQUIRE(collector.WaitForCount(2, DeadlineIn(seconds(30))));
  const auto arrivals = collector.Arrivals();
  INFO("arrivals: " << arrivals[0].message << "\n" << arrivals[1].message);
  CHECK(arrivals[0].message.find(
            R"("fields":{"site":"north","temp":41,"rpm":0,"schema":2})") != std::string::npos);
  CHECK(arrivals[1].message.find(R"("fields":{"site":"north","schema":2,"temp":20.5,"rpm":7})") !=
        std::string::npos);
  REQUIRE(rig.StopDaemon(DeadlineIn(seconds(30))) == 0);

  int status = 0;
  const std::string listing =
      RunCli({GatewayRig::EdgeferryBinary(), "queue", "dlq", "list", "--data-dir",
              rig.data_dir().string()},
             rig.config_file().parent_path() / "dlq.out", &status);
  CHECK(status == 0);
  CHECK(listing.find("device bad  contract 'pump' v1: field 't' must be int, not a string") !=
        std::string::npos);
  INFO("dlq list: " << listing);
}

TEST_CASE("contract: SIGHUP brings a new contract in without losing messages") {
  GatewayOptions options;
  options.sources_toml = kSource;
  options.uplink = false;
  GatewayRig rig(options);
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartBrokers(DeadlineIn(seconds(10))));
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));
  TestPublisher publisher(rig.EdgePublisherOptions());
  REQUIRE_MESSAGE(publisher.Connect(DeadlineIn(seconds(15))), publisher.error());
  const auto in = [] { return DeadlineIn(seconds(10)); };
  REQUIRE(publisher.Publish("site/north/before/data", R"({"t":"hot"})", in()));  // no contract
  REQUIRE(publisher.WaitAllAcked(in()));
  std::string error;
  REQUIRE(WaitUntil(DeadlineIn(seconds(30)), [&] {  // committed before the contract comes
    auto stats = rig.ReadStats(DeadlineIn(seconds(10)), &error);
    return stats && stats->events == 1;
  }));
  WriteContract(rig.config_file(), kContract);
  rig.SignalDaemon(SIGHUP);
  REQUIRE(WaitUntil(DeadlineIn(seconds(30)), [&] {
    return rig.FullDaemonLog().find("1 data contract(s) in use") != std::string::npos;
  }));
  REQUIRE(publisher.Publish("site/north/after/data", R"({"t":"hot"})", in()));  // violation
  REQUIRE(publisher.Publish("site/north/good/data", R"({"t":3})", in()));
  REQUIRE(publisher.WaitAllAcked(in()));
  REQUIRE_MESSAGE(WaitUntil(DeadlineIn(seconds(30)),
                            [&] {
                              auto stats = rig.ReadStats(DeadlineIn(seconds(10)), &error);
                              if (stats) {
                                error = "events " + std::to_string(stats->events) +
                                        " dead letters " + std::to_string(stats->dead_letters);
                              }
                              return stats && stats->events == 2 && stats->dead_letters == 1;
                            }),
                  error << "\n" << rig.DaemonLog());
  REQUIRE(rig.StopDaemon(DeadlineIn(seconds(30))) == 0);
}

TEST_CASE("contract: edgeferry check refuses an incompatible evolution at its place") {
  GatewayRig rig;
  std::string narrowing = kContract;
  narrowing.replace(narrowing.find("type = \"float\""), 14, "type = \"bool\"");
  WriteContract(rig.config_file(), narrowing);
  int status = 0;
  const std::string out =
      RunCli({GatewayRig::EdgeferryBinary(), "check", "--config", rig.config_file().string()},
             rig.config_file().parent_path() / "check.out", &status);
  INFO(out);
  CHECK(status != 0);
  CHECK(out.find("contracts.d/pump.toml:20:1: contract 'pump' version 2 is not backward "
                 "compatible with version 1: field 'temp' changes type from int to bool") !=
        std::string::npos);
}

}  // namespace
}  // namespace ef::testkit
