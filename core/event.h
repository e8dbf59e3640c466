// Event: one device's reading at one time, the unit that flows through edgeferry.
//
// An Event is a plain value: it owns all its bytes and holds no pointer into a connector or
// library buffer, so it can be copied, queued and handed between threads freely. A message
// that carried several readings ({"temp":41.7,"rpm":1480}) is one Event; `fields` holds them
// once a decoder has extracted them, and `payload` keeps the original bytes so that a
// pass-through uplink forwards them unchanged.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace ef {

using Value = std::variant<bool, int64_t, double, std::string>;

struct Field {
  std::string name;
  Value value;
};

enum class Quality : uint8_t { kGood = 0, kUncertain = 1, kBad = 2 };

// How `payload` is encoded. Decided once, at the connector boundary.
enum class PayloadFormat : uint8_t { kBinary = 0, kJson = 1 };

struct Event {
  std::string stream;        // queue stream, e.g. "telemetry"
  std::string device_id;     // e.g. "dev-07"
  std::string origin;        // where it came from, e.g. the MQTT topic
  int64_t event_time_ms = 0;   // wall time of the reading, ms since the Unix epoch
  int64_t ingest_time_ms = 0;  // wall time edgeferry received it
  uint64_t seq = 0;          // per-gateway sequence number; 0 until the store assigns one
  Quality quality = Quality::kGood;
  // ingest_time_ms was stamped while the system clock was not synchronised to a time source
  // (core/clock_watch.h): the cloud should not trust it. Stored with the event.
  bool clock_unsynced = false;
  // event_time_ms was read from the payload (a decoder's time field), not the arrival time.
  // Stored with the event.
  bool time_from_payload = false;
  PayloadFormat format = PayloadFormat::kBinary;
  std::vector<Field> fields;
  std::string payload;       // original bytes
  // The name of the source that produced it, so that pipeline stages (decoding) apply that
  // source's settings. Not stored: it matters only between ingest and the commit.
  std::string source;
  // Non-empty: the source refused the message at the boundary (e.g. a payload beyond its
  // size bound, whose bytes were not kept) and says why; the pipeline commits it straight
  // to the dead letters. Not stored.
  std::string refused;

  // Approximate memory/disk footprint, used for byte bounds and statistics. Runs per event on
  // the hot path, so fields are estimated (name, value, about 10 bytes of overhead each)
  // rather than encoded; an event without fields counts as before they existed.
  size_t ByteSize() const {
    size_t size = stream.size() + device_id.size() + origin.size() + payload.size() + 40;
    for (const Field& field : fields) {
      const auto* text = std::get_if<std::string>(&field.value);
      size += field.name.size() + 10 + (text != nullptr ? text->size() : 0);
    }
    return size;
  }
};

}  // namespace ef
