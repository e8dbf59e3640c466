// Journal records: what one call of the rules engine saw, so that a restart can replay it
// onto the last snapshot instead of every commit re-encoding every group it touched.
//
// A record is one engine call: the events of a group some rule took (Process; the others
// changed nothing) or a timer (OnTimer), with the monotonic time it ran at. Of an event it
// keeps only what a rule reads: stream, device,
// origin (the topic), event time and fields; the payload, sequence numbers and ingest times
// are left out. Strings equal to the previous event's (its stream, its device, the name of
// its field at the same position) are written as one byte.
//
// Layout (state_codec.h's varints): version 1, kind (0 events, 1 timer), now in ns (zigzag),
// the event count, then per event: stream, device, origin (each 0 = as the previous event,
// else length + 1 and the bytes), event time as a zigzag delta from the previous event's,
// the field count and per field its name (as the strings above) and its value (a tag: 0
// false, 1 true, 2 integer, 3 double, 4 string; then the value); then the count of
// evictions by the engine's total memory bound and per eviction the rule's name and the
// group's key (length-prefixed). A replay makes these evictions rather than recomputing the
// bound, which depends on every rule's state (a rule changed while the daemon was down is
// not replayed).
//
// Plain functions and values, not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "rules/state_codec.h"

namespace ef::rules {

// A group the engine's total memory bound closed: which rule's, which key.
struct JournalEviction {
  std::string rule;
  std::string key;
};

struct JournalCall {
  bool timer = false;
  int64_t now_ns = 0;
  std::vector<Event> events;  // only stream, device_id, origin, event time and fields are set
  std::vector<JournalEviction> evictions;  // in the order they were made, after the events
};

// Builds one record. Not thread-safe; one per record.
class JournalWriter {
 public:
  JournalWriter(bool timer, int64_t now_ns);
  void Add(const Event& event);
  // A group the engine's total bound closed during the call (after every Add()).
  void AddEviction(std::string_view rule, std::string_view key);
  // The record; the writer is spent afterwards.
  std::string Finish();

 private:
  void Text(std::string_view text, std::string_view previous);

  const bool timer_;
  const int64_t now_ns_;
  std::string body_;
  StateWriter writer_{&body_};
  uint64_t count_ = 0;
  std::string evictions_;  // their count is written after the events
  uint64_t eviction_count_ = 0;
  const Event* previous_ = nullptr;
  int64_t previous_time_ = 0;
};

// Decodes a record written by JournalWriter; Corruption on bad bytes.
Result<JournalCall> DecodeJournalCall(std::string_view bytes);

}  // namespace ef::rules
