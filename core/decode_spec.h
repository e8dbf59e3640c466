// DecodeSpec: how the messages of one source are decoded into an Event's fields and event
// time (pipeline/decode/). A source binds it from its config table; the daemon hands it,
// with the source's name, to the decode stage. A plain value; thread-safe to copy and read.
//
// TOML keys (in [[sources.mqtt]]; names follow Telegraf's mqtt_consumer / json_v2 where they
// have one): topic_template, data_format, fields, time_field, time_format, value_field_name.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ef {

// What a payload is.
enum class DataFormat : uint8_t {
  kRaw = 0,        // kept as bytes, no fields (as before decoding existed)
  kJson = 1,       // one JSON object: one event
  kJsonArray = 2,  // a JSON array of objects: one event each (a JSON object alone: one event)
  kValue = 3,      // a plain number ("41.7", "1480", "true"): one field
};

// How the time field's value reads.
enum class TimeFormat : uint8_t {
  kUnix = 0,     // seconds since the epoch (integer or fraction)
  kUnixMs = 1,   // milliseconds
  kUnixUs = 2,   // microseconds
  kUnixNs = 3,   // nanoseconds
  kRfc3339 = 4,  // "2026-11-30T04:25:48.123Z" / "+01:00" offsets
};

struct DecodeSpec {
  // Names topic levels: "plant/{site}/{device}/telemetry". "{device}" sets Event::device_id;
  // every other named level becomes a string field. "+" skips a level, a trailing "#" any
  // rest. Default: none (the source's device_id_level names the device).
  std::string topic_template;
  DataFormat format = DataFormat::kRaw;  // Default: raw
  // Fields to take, by name or by dotted path ("sensors.temp"; the field is named as the
  // path). Default: empty = every scalar member, nested objects flattened as "a.b".
  std::vector<std::string> fields;
  std::string time_field;                      // Default: none (arrival time)
  TimeFormat time_format = TimeFormat::kUnix;  // Default: unix (seconds)
  std::string value_field_name = "value";      // Default: "value" (data_format = "value")
};

}  // namespace ef
