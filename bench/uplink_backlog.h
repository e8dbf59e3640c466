// The stored backlog ef-bench-uplink drains: a queue database with N telemetry events written
// straight through storage::SqliteStore (no broker, no daemon), as edgeferry would have
// committed them during a long cloud outage.
//
// Thread-safety: a plain function; the database must not be open elsewhere meanwhile.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace ef::bench {

struct BacklogSpec {
  std::string db_path;  // queue.db to create (its folder must exist, the file must not)
  uint64_t events = 1'000'000;
  int devices = 20;              // round-robin, "dev-00" ...
  size_t commit_events = 1'000;  // events per transaction
};

// Appends the events to stream "telemetry", each with a ~120-byte JSON payload like the one
// ef-mqtt-load sends, and closes the database. Returns the highest sequence number stored.
Result<uint64_t> BuildBacklog(const BacklogSpec& spec);

}  // namespace ef::bench
