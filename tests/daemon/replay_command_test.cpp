// edgeferry replay end to end on files: one output row per input row, 1.0 on the row where an
// alert was raised, rows without a number kept, missing data raised by event time, the SVG
// with its alert markers and label windows, and clear errors for bad input.
#include "daemon/replay_command.h"

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "daemon/replay_csv.h"
#include "tests/support/temp_dir.h"

namespace ef::daemon {
namespace {

using testkit::ReadFile;
using testkit::TempDir;
using testkit::WriteFile;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// 12 rows a minute apart; row 6 jumps above the limit, row 9 is back.
std::string Csv() {
  std::string csv = "timestamp,value\n";
  for (int i = 0; i < 12; ++i) {
    const std::string value = i == 3 ? "n/a" : (i >= 6 && i < 9) ? "95" : "20";
    csv += "2024-05-01 10:" + std::string(i < 10 ? "0" : "") + std::to_string(i) + ":00," +
           value + "\n";
  }
  return csv;
}

const char* const kRules = R"(
[[rule]]
name = "hot"
kind = "detector"
fields = ["value"]
detector = "threshold"
limit = 80
)";

TEST_CASE("replay: one row per input row, 1.0 where the alert was raised, plot with labels") {
  TempDir dir;
  WriteFile(dir.File("rules.toml"), kRules);
  WriteFile(dir.File("in.csv"), Csv());
  WriteFile(dir.File("labels.json"),
            R"({"cat/in.csv": [["2024-05-01 10:05:00.000000", "2024-05-01 10:07:00.000000"]]})");
  const int rc = RunReplayCommand({"--rules", dir.File("rules.toml"), "--csv", dir.File("in.csv"),
                                   "--out", dir.File("out.csv"), "--plot", dir.File("p.svg"),
                                   "--labels", dir.File("labels.json")});
  REQUIRE(rc == 0);
  const auto lines = Lines(ReadFile(dir.File("out.csv")));
  REQUIRE(lines.size() == 13);
  CHECK(lines[0] == "timestamp,value,anomaly_score,alert_active");
  CHECK(lines[4] == "2024-05-01 10:03:00,n/a,0.0,0");
  CHECK(lines[7] == "2024-05-01 10:06:00,95,1.0,1");
  CHECK(lines[8] == "2024-05-01 10:07:00,95,0.0,1");
  CHECK(lines[10] == "2024-05-01 10:09:00,20,0.0,0");
  const std::string svg = ReadFile(dir.File("p.svg"));
  CHECK(svg.starts_with("<svg"));
  CHECK(svg.find("class=\"alert\"") != std::string::npos);
  CHECK(svg.find("class=\"label\"") != std::string::npos);
  CHECK(svg.find("class=\"cleared\"") != std::string::npos);
}

TEST_CASE("replay: missing data is raised by event time during a gap") {
  TempDir dir;
  WriteFile(dir.File("rules.toml"), R"(
[[rule]]
name = "gap"
kind = "detector"
fields = ["value"]
detector = "missing"
timeout = "5m"
)");
  WriteFile(dir.File("in.csv"),
            "timestamp,value\n2024-05-01T10:00:00Z,1\n2024-05-01T10:01:00Z,1\n"
            "2024-05-01T10:30:00Z,1\n2024-05-01T10:31:00Z,1\n");
  REQUIRE(RunReplayCommand({"--rules", dir.File("rules.toml"), "--csv", dir.File("in.csv"),
                            "--out", dir.File("out.csv")}) == 0);
  const auto lines = Lines(ReadFile(dir.File("out.csv")));
  REQUIRE(lines.size() == 5);
  // Raised at 10:06, shown on the next row, whose sample clears it.
  CHECK(lines[3] == "2024-05-01T10:30:00Z,1,1.0,1");
  CHECK(lines[4] == "2024-05-01T10:31:00Z,1,0.0,0");
}

TEST_CASE("replay: bad arguments exit 2, bad input 1") {
  TempDir dir;
  CHECK(RunReplayCommand({"--csv", "x"}) == 2);
  CHECK(RunReplayCommand({"--bogus", "x"}) == 2);
  WriteFile(dir.File("rules.toml"), "[[rule]]\nname = \"x\"\nkind = \"detector\"\n");
  WriteFile(dir.File("in.csv"), Csv());
  CHECK(RunReplayCommand({"--rules", dir.File("rules.toml"), "--csv", dir.File("in.csv"),
                          "--out", dir.File("out.csv")}) == 1);
  WriteFile(dir.File("rules.toml"), kRules);
  WriteFile(dir.File("bad.csv"), "timestamp,value\n2024-13-01 00:00:00,1\n");
  CHECK(RunReplayCommand({"--rules", dir.File("rules.toml"), "--csv", dir.File("bad.csv"),
                          "--out", dir.File("out.csv")}) == 1);
}

TEST_CASE("replay csv: timestamps in NAB, ISO and epoch forms") {
  CHECK(ParseTimestamp("1970-01-01 00:00:01").value() == 1000);
  CHECK(ParseTimestamp("2014-04-10 00:04:00.250000").value() == 1397088240250);
  CHECK(ParseTimestamp("2014-04-10T00:04:00Z").value() == 1397088240000);
  CHECK(ParseTimestamp("1397088240").value() == 1397088240000);
  CHECK(ParseTimestamp("1397088240250").value() == 1397088240250);
  CHECK_FALSE(ParseTimestamp("yesterday").ok());
  CHECK_FALSE(ParseTimestamp("2014-04-10 25:00:00").ok());
}

}  // namespace
}  // namespace ef::daemon
