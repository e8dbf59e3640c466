// The two queues ef-bench-storage compares, behind one tiny interface so that the same loops
// drive both:
//   RawQueue:       the ceiling. Plain SQLite calls, nothing else: WAL, prepared statements,
//                   one table (seq INTEGER PRIMARY KEY + the columns edgeferry keeps), a group
//                   appended in one transaction, the oldest rows read and then deleted by seq
//                   range in one autocommit statement.
//   StoreQueue:     edgeferry's storage::SqliteStore through the ef::Store interface
//                   (Append, ReadAfter, Ack), with the default policy (1 GiB bound).
// Both read "oldest first after a cursor", as the uplink does, and delete exactly what they
// read once it is "acknowledged". Any error aborts the benchmark (it prints and exits 1).
//
// Thread-safety: one thread drives a queue.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "core/event.h"

namespace ef::bench {

enum class Durability { kNormal, kFull };

class QueueUnderTest {
 public:
  virtual ~QueueUnderTest() = default;
  // Stores `group` in one transaction (sets each event's seq).
  virtual void Append(std::span<Event> group) = 0;
  // Reads up to `max` of the oldest events after the cursor; returns how many.
  virtual size_t ReadOldest(size_t max) = 0;
  // Deletes what the last ReadOldest returned (the cloud acknowledged it).
  virtual void AckRead() = 0;
};

// Opens (creating) the database at `path` in WAL mode with the given durability.
std::unique_ptr<QueueUnderTest> OpenRawQueue(const std::string& path, Durability durability);
std::unique_ptr<QueueUnderTest> OpenStoreQueue(const std::string& path, Durability durability);

// "SQLite 3.40.1".
std::string SqliteVersion();

}  // namespace ef::bench
