// Every SQL statement of the SQLite store, in one place (as fluent-bit's tail_sql.h).
// Each stream has its own tables (c_<id>, and q_<id> in a file written before version 5), so
// reading, bounding and expiring one stream never scans another and the rowid (a seq) is the
// only index.
#pragma once

namespace ef::storage::sql {

inline constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('last_seq', 0);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', 2);
CREATE TABLE IF NOT EXISTS streams (
  id            INTEGER PRIMARY KEY,
  name          TEXT    NOT NULL UNIQUE,
  dropped       INTEGER NOT NULL DEFAULT 0,
  rejected      INTEGER NOT NULL DEFAULT 0,
  expired       INTEGER NOT NULL DEFAULT 0,
  dead_lettered INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS dead_letters (
  id          INTEGER PRIMARY KEY,
  seq         INTEGER NOT NULL,
  stream      TEXT    NOT NULL,
  device      TEXT    NOT NULL,
  origin      TEXT    NOT NULL,
  event_time  INTEGER NOT NULL,
  ingest_time INTEGER NOT NULL,
  quality     INTEGER NOT NULL,
  format      INTEGER NOT NULL,
  payload     BLOB    NOT NULL,
  reason      TEXT    NOT NULL,
  dead_time   INTEGER NOT NULL,
  fields      BLOB    NOT NULL DEFAULT x''
);
)sql";

inline constexpr const char* kBegin = "BEGIN IMMEDIATE";
inline constexpr const char* kCommit = "COMMIT";
inline constexpr const char* kRollback = "ROLLBACK";
inline constexpr const char* kDataVersion = "PRAGMA data_version";

inline constexpr const char* kLoadLastSeq = "SELECT value FROM meta WHERE key = 'last_seq'";
inline constexpr const char* kSaveLastSeq = "UPDATE meta SET value = ?1 WHERE key = 'last_seq'";
inline constexpr const char* kLoadStreams =
    "SELECT id, name, dropped, rejected, expired, dead_lettered FROM streams";
inline constexpr const char* kAddStream = "INSERT INTO streams (name) VALUES (?1)";
inline constexpr const char* kSaveCounters =
    "UPDATE streams SET dropped = ?2, rejected = ?3, expired = ?4, dead_lettered = ?5"
    " WHERE name = ?1";
inline constexpr const char* kCountDeadLetters = "SELECT count(*) FROM dead_letters";

// The `quality` column holds Event::quality (0..2) and, in bit 4, Event::clock_unsynced
// (QualityColumn in event_row.cpp): the mark is stored with its event without a new column.
// Per-stream statements: "%T" stands for the stream's table name, "%F" for the fields column
// where it is read ("fields", or x'' in a file of schema version 3 opened read-only). Event
// rows are read as (seq, device, origin, event_time, ingest_time, quality, format, payload,
// fields) from some first column on: ReadEventRow's layout. Since schema version 5 these tables
// (q_<id>: seq INTEGER PRIMARY KEY, device, origin, event_time, ingest_time, quality, format,
// size, payload, fields) are no longer created or written: the rows an earlier version left
// are read, removed and counted (see kCreateChunkTable).
inline constexpr const char* kReadAfter =
    "SELECT seq, device, origin, event_time, ingest_time, quality, format, payload, %F, size"
    " FROM %T WHERE seq > ?1 ORDER BY seq LIMIT ?2";
// Counted first, then deleted: DELETE ... RETURNING costs about twice a plain range delete.
inline constexpr const char* kRangeUsage =
    "SELECT count(*), coalesce(sum(size), 0) FROM %T WHERE seq BETWEEN ?1 AND ?2";
inline constexpr const char* kDelete = "DELETE FROM %T WHERE seq BETWEEN ?1 AND ?2";
inline constexpr const char* kHead =
    "SELECT seq, size, ingest_time, quality FROM %T ORDER BY seq LIMIT ?1";
inline constexpr const char* kDeleteUpTo = "DELETE FROM %T WHERE seq <= ?1";
inline constexpr const char* kUsage = "SELECT count(*), coalesce(sum(size), 0) FROM %T";
inline constexpr const char* kToDeadLetters =
    "INSERT INTO dead_letters (seq, stream, device, origin, event_time, ingest_time, quality,"
    " format, payload, fields, reason, dead_time) SELECT seq, ?2, device, origin, event_time,"
    " ingest_time, quality, format, payload, fields, ?3, ?4 FROM %T WHERE seq = ?1";

}  // namespace ef::storage::sql

namespace ef::storage::sql {

inline constexpr const char* kListDeadLetters =
    "SELECT id, seq, device, origin, event_time, ingest_time, quality, format, payload, %F,"
    " stream, reason, dead_time FROM dead_letters WHERE (?1 = 0 OR id = ?1) ORDER BY id"
    " LIMIT ?2";
inline constexpr const char* kRecentDeadLetters =
    "SELECT id, seq, device, origin, event_time, ingest_time, quality, format, payload, %F,"
    " stream, reason, dead_time FROM dead_letters ORDER BY id DESC LIMIT ?1";
// A dead letter refused before it was stored in a stream (seq 0): by a pipeline stage.
inline constexpr const char* kInsertDeadLetter =
    "INSERT INTO dead_letters (seq, stream, device, origin, event_time, ingest_time, quality,"
    " format, payload, fields, reason, dead_time) VALUES (0, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
    " ?10, ?11)";
inline constexpr const char* kPurgeDeadLetter = "DELETE FROM dead_letters WHERE id = ?1";
inline constexpr const char* kPurgeAllDeadLetters = "DELETE FROM dead_letters";

}  // namespace ef::storage::sql

namespace ef::storage::sql {

// Schema version 3 adds each stream's last drain rate to `streams` (AddDrainRateColumns): a
// database written before has no such columns until the daemon opens it read-write; a
// read-only opener asks first. Added columns cost no pages (old rows read the default).
inline constexpr const char* kHasDrainColumns =
    "SELECT count(*) FROM pragma_table_info('streams') WHERE name = 'drain_per_s'";
inline constexpr const char* kAddDrainColumns =
    "ALTER TABLE streams ADD COLUMN drain_per_s REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE streams ADD COLUMN drain_measured_ms INTEGER NOT NULL DEFAULT 0;"
    "UPDATE meta SET value = 3 WHERE key = 'schema_version' AND value < 3";
inline constexpr const char* kLoadDrainRates =
    "SELECT name, drain_per_s, drain_measured_ms FROM streams WHERE drain_measured_ms > 0";
inline constexpr const char* kSaveDrainRate =
    "UPDATE streams SET drain_per_s = ?2, drain_measured_ms = ?3 WHERE name = ?1";

}  // namespace ef::storage::sql

namespace ef::storage::sql {

// Pipeline stages' state (Store::Append's `state`, Store::ReadState), written in the group of
// the events it belongs to. The table is created by the first group that writes state, so a
// queue no stage uses has none (not even its page, which counts against max_file_bytes).
// A prefix is read as the key range [prefix, PrefixEnd(prefix)), which the primary key
// answers without a scan; kReadStateFrom when the range has no end.
inline constexpr const char* kCreateStageState =
    "CREATE TABLE IF NOT EXISTS stage_state (key TEXT PRIMARY KEY, value BLOB NOT NULL)"
    " WITHOUT ROWID";
inline constexpr const char* kHasStageState =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'stage_state'";
inline constexpr const char* kUpsertState =
    "INSERT OR REPLACE INTO stage_state (key, value) VALUES (?1, ?2)";
inline constexpr const char* kEraseState = "DELETE FROM stage_state WHERE key = ?1";
inline constexpr const char* kReadStateRange =
    "SELECT key, value FROM stage_state WHERE key >= ?1 AND key < ?2 ORDER BY key";
inline constexpr const char* kReadStateFrom =
    "SELECT key, value FROM stage_state WHERE key >= ?1 ORDER BY key";

}  // namespace ef::storage::sql

namespace ef::storage::sql {

// Schema version 4 adds `fields` (core/field_codec.h's encoding; x'' for none) to every
// stream table and to dead_letters (AddFieldsColumns). Tables created since have it; a read-
// only opener of an older file reads x'' in its place (kHasFieldsColumn).
inline constexpr const char* kHasFieldsColumn =
    "SELECT count(*) FROM pragma_table_info('dead_letters') WHERE name = 'fields'";
inline constexpr const char* kTablesWithoutFields =
    "SELECT m.name FROM sqlite_master AS m WHERE m.type = 'table'"
    " AND (m.name GLOB 'q_[0-9]*' OR m.name = 'dead_letters')"
    " AND NOT EXISTS (SELECT 1 FROM pragma_table_info(m.name) AS c WHERE c.name = 'fields')";
inline constexpr const char* kAddFieldsColumn =
    "ALTER TABLE %T ADD COLUMN fields BLOB NOT NULL DEFAULT x''";
inline constexpr const char* kSchemaVersion4 =
    "UPDATE meta SET value = 4 WHERE key = 'schema_version' AND value < 4";

}  // namespace ef::storage::sql

namespace ef::storage::sql {

// The daemon's storage writes since its start (SqliteStore::NoteWrites), as rows of `meta`
// written inside a group: no schema change. A file written before simply lacks them until the
// daemon stores its first figure, and earlier versions ignore them.
inline constexpr const char* kSaveWrites =
    "INSERT OR REPLACE INTO meta (key, value) VALUES ('written_bytes', ?1),"
    " ('written_events', ?2), ('written_since_ms', ?3), ('written_as_of_ms', ?4)";
inline constexpr const char* kLoadWrites =
    "SELECT key, value FROM meta WHERE key IN ('written_bytes', 'written_events',"
    " 'written_since_ms', 'written_as_of_ms')";

}  // namespace ef::storage::sql

namespace ef::storage::sql {

// Schema version 5: each stream's events are stored as chunks, one row per commit group in
// c_<id> (storage/chunk_table.h; "%T" is its name), blob in storage/chunk_codec.h's format.
// Rows of q_<id> written before stay and are read, removed and counted with the chunks.
// `oldest_ingest` is the ingest time of the chunk's first event. A file of a newer schema
// than this binary knows is refused (kSchemaVersion).
inline constexpr int kCurrentSchema = 5;
inline constexpr const char* kSchemaVersion =
    "SELECT value FROM meta WHERE key = 'schema_version'";
inline constexpr const char* kStreamIds = "SELECT id FROM streams";
inline constexpr const char* kSchemaVersion5 =
    "UPDATE meta SET value = 5 WHERE key = 'schema_version' AND value < 5";
inline constexpr const char* kTableExists =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1";
inline constexpr const char* kCreateChunkTable =
    "CREATE TABLE IF NOT EXISTS %T (first_seq INTEGER PRIMARY KEY, last_seq INTEGER NOT NULL,"
    " count INTEGER NOT NULL, bytes INTEGER NOT NULL, oldest_ingest INTEGER NOT NULL,"
    " data BLOB NOT NULL)";
// Chunk rows are read as (first_seq, last_seq, count, bytes, oldest_ingest, data).
inline constexpr const char* kChunkAt =
    "SELECT first_seq, last_seq, count, bytes, oldest_ingest, data FROM %T"
    " WHERE first_seq <= ?1 ORDER BY first_seq DESC LIMIT 1";
inline constexpr const char* kChunksFrom =
    "SELECT first_seq, last_seq, count, bytes, oldest_ingest, data FROM %T"
    " WHERE first_seq >= ?1 ORDER BY first_seq";
inline constexpr const char* kChunkHead =
    "SELECT first_seq, last_seq, count, bytes, oldest_ingest, data FROM %T"
    " ORDER BY first_seq LIMIT 1";
inline constexpr const char* kInsertChunk =
    "INSERT INTO %T (first_seq, last_seq, count, bytes, oldest_ingest, data)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
inline constexpr const char* kDeleteChunk = "DELETE FROM %T WHERE first_seq = ?1";
inline constexpr const char* kChunkUsage =
    "SELECT coalesce(sum(count), 0), coalesce(sum(bytes), 0) FROM %T";
// A stored event moved to the dead letters from a chunk (keeps its seq).
inline constexpr const char* kInsertDeadLetterSeq =
    "INSERT INTO dead_letters (seq, stream, device, origin, event_time, ingest_time, quality,"
    " format, payload, fields, reason, dead_time) VALUES (?12, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
    " ?9, ?10, ?11)";

}  // namespace ef::storage::sql
