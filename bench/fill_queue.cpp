// ef-bench-fill: writes a queue database with a backlog of telemetry events, as edgeferry
// would have committed them during a long cloud outage (bench/uplink_backlog.h), for the
// benchmarks that start the daemon on a full queue (bench/footprint.sh).
//
//   ef-bench-fill --db PATH/queue.db [--count 1000000]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/uplink_backlog.h"

int main(int argc, char** argv) {
  ef::bench::BacklogSpec spec;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--db") {
      spec.db_path = argv[i + 1];
    } else if (flag == "--count") {
      spec.events = std::strtoull(argv[i + 1], nullptr, 10);
    } else {
      std::fprintf(stderr, "usage: ef-bench-fill --db PATH [--count N]\n");
      return 2;
    }
  }
  if (spec.db_path.empty() || spec.events == 0) {
    std::fprintf(stderr, "usage: ef-bench-fill --db PATH [--count N]\n");
    return 2;
  }
  ef::Result<uint64_t> last = ef::bench::BuildBacklog(spec);
  if (!last.ok()) {
    std::fprintf(stderr, "ef-bench-fill: %s\n", last.status().ToString().c_str());
    return 1;
  }
  std::printf("%llu events stored, last seq %llu\n", static_cast<unsigned long long>(spec.events),
              static_cast<unsigned long long>(*last));
  return 0;
}
