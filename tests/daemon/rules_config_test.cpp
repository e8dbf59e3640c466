// Where the daemon finds its rule files: rules.d beside the configuration, rules_dir relative
// to it, none with the embedded defaults; LoadRules reports a missing explicit directory.
#include <doctest/doctest.h>

#include "daemon/daemon_config.h"
#include "daemon/rules_runtime.h"

namespace ef::daemon {
namespace {

constexpr char kSource[] = "[[sources.mqtt]]\nname = \"edge\"\nuri = \"tcp://127.0.0.1:1883\"\n";

TEST_CASE("rules.d beside the configuration; rules_dir relative to it or absolute") {
  DaemonConfig config;
  REQUIRE(LoadConfigText(kSource, "/etc/edgeferry/edgeferry.toml", &config).empty());
  CHECK(config.gateway.rules_dir == "/etc/edgeferry/rules.d");
  CHECK(!config.rules_dir_required);
  rules::RuleSet set;
  CHECK(LoadRules(config, &set).empty());  // a missing default directory: no rules

  REQUIRE(LoadConfigText(std::string("[gateway]\nrules_dir = \"more-rules\"\n") + kSource,
                         "/etc/edgeferry/edgeferry.toml", &config)
              .empty());
  CHECK(config.gateway.rules_dir == "/etc/edgeferry/more-rules");
  CHECK(config.rules_dir_required);
  const auto errors = LoadRules(config, &set);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "/etc/edgeferry/more-rules: the rules directory does not exist");

  REQUIRE(LoadConfigText(std::string("[gateway]\nrules_dir = \"/srv/rules\"\n") + kSource,
                         "/etc/edgeferry/edgeferry.toml", &config)
              .empty());
  CHECK(config.gateway.rules_dir == "/srv/rules");
}

TEST_CASE("rules_max_state_bytes must be positive") {
  DaemonConfig config;
  const auto errors = LoadConfigText(
      std::string("[gateway]\nrules_max_state_bytes = 0\n") + kSource, "gw.toml", &config);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "gw.toml:2:25: 'rules_max_state_bytes': must be greater than 0");
}

}  // namespace
}  // namespace ef::daemon
