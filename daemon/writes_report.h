// How `edgeferry queue stats` reports the daemon's storage writes (flash wear), from the
// figure the daemon keeps in the queue file (storage::SqliteStore::StoredWrites). The figure
// is as of the group that stored it last: while the daemon runs, at most a minute old plus
// the time to its next group; after a clean stop, as of the stop. Pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "storage/sqlite_store.h"

namespace ef::daemon {

// Bytes written per event queued, and per day of the daemon's run; negative when unknown
// (no figure, no event yet, or less than a minute of run).
double WrittenPerEvent(const storage::StorageWrites& w);
double WrittenPerDay(const storage::StorageWrites& w);

// ,"written_bytes":N,"written_events":N,"written_bytes_per_event":1.25,
// "written_bytes_per_day":N,"written_since_ms":N,"written_as_of_ms":N (null for what is
// unknown; all null when the file holds no figure).
std::string WritesJson(const storage::StorageWrites& w);

// "storage writes since the daemon started (3 h 20 min before the figure): 12.5 MB for
// 123456 events queued, 101.2 B/event, 90.0 MB/day (as of the daemon's last write, 40 s ago)",
// or that no daemon recorded a figure in this file yet.
std::string DescribeWrites(const storage::StorageWrites& w, int64_t now_ms);

}  // namespace ef::daemon
