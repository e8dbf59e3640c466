// How SqliteStore's statements carry an Event's columns (sqlite_store_impl.h): filling in
// statement patterns, reading an event row, binding its encoded fields.
#include "core/field_codec.h"
#include "storage/sqlite_store_impl.h"

namespace ef::storage {

std::string FillIn(const char* pattern, std::string_view table, std::string_view fields_column) {
  std::string sql = pattern;
  for (size_t at = sql.find('%'); at != std::string::npos && at + 1 < sql.size();
       at = sql.find('%', at)) {
    const char what = sql[at + 1];
    const std::string_view with = what == 'T' ? table : what == 'F' ? fields_column : "%";
    sql.replace(at, what == 'T' || what == 'F' ? 2 : 1, with);
    at += with.size();
  }
  return sql;
}

int QualityColumn(const Event& e) {
  return static_cast<int>(e.quality) | (e.clock_unsynced ? kUnsyncedBit : 0) |
         (e.time_from_payload ? kPayloadTimeBit : 0);
}

void ReadEventRow(sqlite3_stmt* row, int first, const std::string& stream, Event* e) {
  e->stream = stream;
  e->seq = static_cast<uint64_t>(sqlite3_column_int64(row, first));
  AssignColumn(row, first + 1, &e->device_id);
  AssignColumn(row, first + 2, &e->origin);
  e->event_time_ms = sqlite3_column_int64(row, first + 3);
  e->ingest_time_ms = sqlite3_column_int64(row, first + 4);
  const int quality = sqlite3_column_int(row, first + 5);
  e->quality = static_cast<Quality>(quality & ~(kUnsyncedBit | kPayloadTimeBit));
  e->clock_unsynced = UnsyncedInQualityColumn(quality);
  e->time_from_payload = (quality & kPayloadTimeBit) != 0;
  e->format = static_cast<PayloadFormat>(sqlite3_column_int(row, first + 6));
  AssignColumn(row, first + 7, &e->payload);
  const auto* fields = static_cast<const char*>(sqlite3_column_blob(row, first + 8));
  const auto size = static_cast<size_t>(sqlite3_column_bytes(row, first + 8));
  if (size == 0) {
    e->fields.clear();
  } else if (!DecodeFields(std::string_view(fields, size), &e->fields).ok()) {
    e->quality = Quality::kBad;  // see the header: deliver what is left, flagged
  }
}

void BindFields(sqlite3_stmt* stmt, int index, const std::vector<Field>& fields,
                std::string* buffer) {
  if (fields.empty()) {
    sqlite3_bind_zeroblob(stmt, index, 0);  // x'', not NULL
    return;
  }
  buffer->clear();
  AppendEncodedFields(fields, buffer);
  sqlite3_bind_blob(stmt, index, buffer->data(), static_cast<int>(buffer->size()),
                    SQLITE_STATIC);
}

}  // namespace ef::storage
