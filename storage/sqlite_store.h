// SqliteStore: the durable Store, one SQLite database in WAL mode.
//
// Each Append() is one transaction (the committer groups events before calling it), so a
// group is either wholly stored or not at all. Durability:
//   "normal": synchronous=NORMAL. A committed group survives a crash or kill of the process;
//             the last groups committed before a power loss or kernel crash may be lost.
//   "full":   synchronous=FULL. A committed group also survives power loss (fsync on commit).
// Sequence numbers are kept in the `meta` table inside the same transaction as the events,
// so they are never reused, even after the queue was empty and the daemon restarted.
//
// Thread-safety: all methods are safe to call concurrently; one connection is shared and
// serialised by a mutex (SQLite allows one writer at a time anyway). The SQLite handle never
// leaves this class.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/store.h"

namespace ef::storage {

enum class Durability { kNormal, kFull };

struct SqliteStoreOptions {
  std::string path;                          // database file; its folder must exist
  Durability durability = Durability::kNormal;  // Default: normal
};

class SqliteStore final : public Store {
 public:
  // Opens or creates the database. Returns an error naming the file when it cannot.
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteStoreOptions& options);
  ~SqliteStore() override;

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Status Append(std::span<Event> events) override;
  Status ReadAfter(uint64_t after_seq, size_t max, std::vector<Event>* out) override;
  Status Ack(std::span<const uint64_t> seqs) override;
  Result<StoreStats> Stats() override;

 private:
  struct Db;  // SQLite handle and prepared statements
  explicit SqliteStore(std::unique_ptr<Db> db);
  Status AppendLocked(std::span<Event> events);

  std::mutex mu_;
  std::unique_ptr<Db> db_;
};

}  // namespace ef::storage

namespace ef::storage {
// "SQLite 3.40.1": the SQLite library linked at run time.
std::string SqliteLibraryVersion();
}  // namespace ef::storage
