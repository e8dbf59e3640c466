// Every SQL statement of the SQLite store, in one place (as fluent-bit's tail_sql.h).
#pragma once

namespace ef::storage::sql {

inline constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
  seq         INTEGER PRIMARY KEY,
  stream      TEXT    NOT NULL,
  device      TEXT    NOT NULL,
  origin      TEXT    NOT NULL,
  event_time  INTEGER NOT NULL,
  ingest_time INTEGER NOT NULL,
  quality     INTEGER NOT NULL,
  format      INTEGER NOT NULL,
  payload     BLOB    NOT NULL
);
INSERT OR IGNORE INTO meta (key, value) VALUES ('last_seq', 0);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', 1);
)sql";

inline constexpr const char* kBegin = "BEGIN IMMEDIATE";
inline constexpr const char* kCommit = "COMMIT";
inline constexpr const char* kRollback = "ROLLBACK";

inline constexpr const char* kLoadLastSeq = "SELECT value FROM meta WHERE key = 'last_seq'";
inline constexpr const char* kSaveLastSeq = "UPDATE meta SET value = ?1 WHERE key = 'last_seq'";

inline constexpr const char* kInsertEvent =
    "INSERT INTO events (seq, stream, device, origin, event_time, ingest_time, quality, format,"
    " payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

inline constexpr const char* kReadAfter =
    "SELECT seq, stream, device, origin, event_time, ingest_time, quality, format, payload"
    " FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2";

inline constexpr const char* kDeleteEvent = "DELETE FROM events WHERE seq = ?1";

inline constexpr const char* kStats =
    "SELECT count(*), coalesce(sum(length(payload)), 0), coalesce(min(ingest_time), 0)"
    " FROM events";

}  // namespace ef::storage::sql
