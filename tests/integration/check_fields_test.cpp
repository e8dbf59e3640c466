// `edgeferry check`, the real binary, on a configuration directory with a data contract and
// a rule naming a field the contract does not declare: a warning at the rule's key with a
// did-you-mean hint, and the check still passes (exit 0); a rule with only declared fields
// gets no warning.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/integration/gateway_rig.h"
#include "tests/support/process.h"

namespace ef::testkit {
namespace {

using std::chrono::seconds;

constexpr char kContract[] = R"(name = "pump"
topic_template = "site/{site}/{device}/data"
[[versions]]
version = 1
[[versions.fields]]
name = "temp"
type = "float"
[[versions.fields]]
name = "rpm"
type = "int"
)";

constexpr char kRule[] = R"([[rule]]
name = "rpm-1m"
kind = "window"
topic = "site/+/+/data"
window = "tumbling"
size = "1m"
fields = ["temp", "rpms"]
)";

void Write(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

// Runs `edgeferry check` on the rig's configuration; returns its output (stdout and stderr).
std::string Check(const GatewayRig& rig, int* status) {
  const auto out = rig.config_file().parent_path() / "check.out";
  std::filesystem::remove(out);
  ProcessOptions spawn;
  spawn.argv = {GatewayRig::EdgeferryBinary(), "check", "--config", rig.config_file().string()};
  spawn.log_file = out;
  Process cli(std::move(spawn));
  *status = cli.Wait(DeadlineIn(seconds(20))).value_or(-1);
  return cli.Log();
}

TEST_CASE("check: a rule field no data contract declares is a warning at its key") {
  GatewayRig rig;
  const auto dir = rig.config_file().parent_path();
  Write(dir / "contracts.d" / "pump.toml", kContract);
  const auto rule_file = dir / "rules.d" / "pump.toml";
  Write(rule_file, kRule);
  int status = -1;
  std::string out = Check(rig, &status);
  INFO(out);
  CHECK(status == 0);
  CHECK(out.find(rule_file.string() +
                 ":7:1: warning: rule 'rpm-1m': 'fields' names field \"rpms\", which no data "
                 "contract for its input declares (contract 'pump') (did you mean \"rpm\"?)") !=
        std::string::npos);
  CHECK(out.find("1 rule, 1 warning)") != std::string::npos);

  std::string fixed = kRule;
  fixed.replace(fixed.find("rpms"), 4, "rpm");
  Write(rule_file, fixed);
  out = Check(rig, &status);
  INFO(out);
  CHECK(status == 0);
  CHECK(out.find("warning") == std::string::npos);
  CHECK(out.find("1 rule)") != std::string::npos);
}

}  // namespace
}  // namespace ef::testkit
