// Process metrics: /proc/self/stat parsing (a command name may hold spaces and parentheses)
// and the series a snapshot carries.
#include "daemon/process_metrics.h"

#include <doctest/doctest.h>

#include "tests/fakes/manual_clock.h"

namespace ef::daemon {
namespace {

TEST_CASE("ParseProcStat reads CPU, virtual and resident size after the last parenthesis") {
  // Fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
  //         utime stime cutime cstime priority nice threads itrealvalue starttime vsize rss
  const std::string line =
      "4242 (edge (ferry) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 7 0 "
      "12345 104857600 2560 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";
  const auto stat = ParseProcStat(line, 100, 4096);
  REQUIRE(stat);
  CHECK(stat->cpu_seconds == doctest::Approx(3.0));
  CHECK(stat->virtual_bytes == 104857600);
  CHECK(stat->resident_bytes == 2560ull * 4096);
}

TEST_CASE("ParseProcStat refuses what is not a stat line") {
  CHECK_FALSE(ParseProcStat("", 100, 4096));
  CHECK_FALSE(ParseProcStat("1 (x) S 1 2", 100, 4096));
  CHECK_FALSE(ParseProcStat("1 (x) S 1 2 3 4 5 6 7 8 9 10 ab cd", 100, 4096));
}

TEST_CASE("a snapshot carries this process's figures under the standard names") {
  testing::ManualClock clock;
  MetricsRegistry metrics;
  ProcessMetrics process(clock, metrics);
  const std::string text = RenderPrometheusText(metrics.Snapshot());
  CHECK(text.find("# TYPE process_cpu_seconds_total counter\n") != std::string::npos);
  CHECK(text.find("process_resident_memory_bytes ") != std::string::npos);
  // Its value is not checked: under qemu-user (the cross build's tests) /proc/self/stat
  // reports a resident size of 0; ParseProcStat's own test checks the arithmetic.
  CHECK(text.find("process_start_time_seconds 1764000001\n") != std::string::npos);
  CHECK(text.find("edgeferry_build_info{version=\"" EF_VERSION "\"} 1\n") != std::string::npos);
}

}  // namespace
}  // namespace ef::daemon
