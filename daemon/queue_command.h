// `edgeferry queue ...`: inspection and dead-letter administration of the local queue.
//
//   queue stats [--json]            per stream: events, bytes, oldest age, drops, rejections,
//                                   expiries, dead letters, the drain rate the daemon's uplink
//                                   last recorded and the estimated time to drain; then the
//                                   total. Read-only: safe while the daemon runs (SQLite WAL
//                                   lets a reader in beside the writer).
//   queue dlq list [--limit N]      dead letters, oldest first
//   queue dlq show ID               one dead letter with its payload
//   queue dlq replay ID...|--all    back into their streams (new sequence numbers)
//   queue dlq purge ID...|--all     delete them
#pragma once

#include <string>
#include <vector>

namespace ef::daemon {

struct QueueCommandArgs {
  std::string db_path;              // the queue database
  std::vector<std::string> words;   // after "queue": e.g. {"dlq", "show", "12"}
  bool json = false;
  bool all = false;
  size_t limit = 50;
};

// Runs the command, printing to stdout (errors to stderr). Returns the exit code.
int RunQueueCommand(const QueueCommandArgs& args);

}  // namespace ef::daemon
