// What `edgeferry queue stats --json` reports about a gateway's local queue, read the way an
// operator would: by running the command (it opens the database read-only, so it works while
// the daemon runs and after it was killed).
//
// The JSON line is {"events":N,"bytes":N,"last_seq":N,"dead_letters":N,<drain>,"streams":[
// {"stream":"telemetry","events":N,"bytes":N,"oldest_age_ms":N,"dropped":N,"rejected":N,
// "expired":N,"dead_lettered":N,<drain>},...]}, where <drain> is "drain_state":"draining",
// "drain_per_s":210.00,"drain_age_ms":N|null,"eta_s":N|null. Also "written_bytes",
// "written_events", "written_bytes_per_event" (and per day, since and as-of times): N or null.
//
// Thread-safety: ParseQueueStatsJson is a pure function; ReadQueueStats starts a child process
// and must run on a thread that outlives it (see process.h), normally the test's main thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/wait.h"

namespace ef::testkit {

// The drain estimate `queue stats` derives from the rate the daemon's uplink recorded.
struct QueueDrain {
  std::string state;  // "empty", "draining", "not_draining", "no_measurement"
  double per_s = 0;
  std::optional<int64_t> eta_s;  // set only while draining
};

struct QueueStreamStats {
  std::string stream;
  uint64_t events = 0;
  uint64_t bytes = 0;
  int64_t oldest_age_ms = 0;
  uint64_t dropped = 0;
  uint64_t rejected = 0;
  uint64_t expired = 0;
  uint64_t dead_lettered = 0;
  QueueDrain drain;
};

struct QueueStats {
  uint64_t events = 0;
  uint64_t bytes = 0;
  uint64_t last_seq = 0;
  uint64_t dead_letters = 0;
  QueueDrain drain;  // of the whole backlog
  std::vector<QueueStreamStats> streams;
  // The daemon's storage writes since its start (flash wear), as of its last write; unset
  // when the file holds no figure (null in the JSON).
  std::optional<uint64_t> written_bytes;
  std::optional<uint64_t> written_events;
  std::optional<double> written_per_event;

  // The stream called `name`, or an all-zero entry when the queue has none by that name.
  QueueStreamStats Stream(std::string_view name) const;
  // Sums over all streams.
  uint64_t Dropped() const;
  uint64_t Rejected() const;
};

// Parses one `queue stats --json` line. std::nullopt unless it is an object with the members
// above (unknown members are ignored).
std::optional<QueueStats> ParseQueueStatsJson(std::string_view json);

// Runs `edgeferry queue stats --data-dir DIR` (with --json when `json`), with stdout and
// stderr written to `output_file` (replaced on each call). Returns its output, or std::nullopt
// and sets *error if it failed or did not finish before `deadline`.
std::optional<std::string> RunQueueStats(const std::string& edgeferry,
                                         const std::filesystem::path& data_dir,
                                         const std::filesystem::path& output_file, bool json,
                                         Deadline deadline, std::string* error);

// Runs `edgeferry queue stats --data-dir DIR --json`, with stdout and stderr written to
// `output_file` (replaced on each call), and parses the last line that starts with '{'.
// Returns std::nullopt and sets *error (exit status and output) if the command failed, did not
// finish before `deadline`, or printed no valid JSON.
std::optional<QueueStats> ReadQueueStats(const std::string& edgeferry,
                                         const std::filesystem::path& data_dir,
                                         const std::filesystem::path& output_file,
                                         Deadline deadline, std::string* error);

}  // namespace ef::testkit
