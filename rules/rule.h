// Rule: what one rule kind ("window", "detector", ...) does with the events of one group.
//
// The engine (rules_stage.h) does everything kinds share: it matches events against the
// RuleSpec, filters them with `where`, finds the event's group (GroupKey), keeps one
// GroupState per group in a bounded table (evicting the oldest groups when a rule or the
// engine reaches its memory bound), checkpoints the groups that changed in the same commit
// as the outputs, restores them after a restart, closes groups that went silent
// (idle_timeout), routes late events and applies the raw-input policy. A kind only says what
// a group's state is and what an event, or the end of a group, does to it.
//
// Time: a rule never reads a clock. Event time is Event::event_time_ms (a replay feeds the
// same rules with recorded times); the monotonic time the engine passes on drives only the
// idle timeout, which the engine handles.
//
// Thread-safety: a Rule is immutable after its factory built it (its methods are const and
// change only the GroupState they are given); each GroupState belongs to one engine, used on
// the pipeline thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "rules/rule_spec.h"
#include "rules/state_codec.h"

namespace ef::rules {

// One group's state, of the kind's own type (the kind downcasts what it is given).
class GroupState {
 public:
  virtual ~GroupState() = default;
};

// Why a group is closed without new input.
enum class CloseReason {
  kIdle,     // no event for the rule's idle_timeout
  kEvicted,  // the rule's or the engine's memory bound was reached; oldest first
  kRemoved,  // the rule was removed or changed by a reload
};

// Where a rule puts what it produces: NewOutput() hands out an event already addressed
// (stream = the rule's output, device = the group's device, origin = "rule/<name>",
// ingest time = now); the kind sets its event time and fields; the engine adds the JSON
// payload ({"rule":..,"device":..,"group":..,<fields>}) when the group's work is done. The
// reference is valid until the next NewOutput().
class Emitter {
 public:
  virtual ~Emitter() = default;
  virtual Event& NewOutput(int64_t event_time_ms) = 0;
};

// What OnEvent did with the event.
enum class Taken {
  kUsed,  // it counted somewhere
  kLate,  // every window it belonged to was closed: beyond the allowed lateness
};

class Rule {
 public:
  virtual ~Rule() = default;
  virtual std::unique_ptr<GroupState> NewGroup() const = 0;
  // Feeds one event of the group (it matched the spec and passed `where`). May emit outputs.
  virtual Taken OnEvent(GroupState& group, const Event& event, Emitter& out) const = 0;
  // Closes everything open in the group (see CloseReason), emitting what is due; afterwards
  // the engine forgets the group.
  virtual void Close(GroupState& group, CloseReason reason, Emitter& out) const = 0;
  // Whether a group closed for idleness stays (after Close(kIdle) emitted its outputs), as
  // new, instead of being forgotten: a missing-data detector keeps it, to clear its alert when
  // the device comes back. Default: no.
  virtual bool KeepsIdleGroup() const { return false; }
  // Approximate memory held by the group, for the bounds and the state-bytes gauge.
  virtual size_t Bytes(const GroupState& group) const = 0;
  // The group as bytes for the checkpoint, and back. Decode returns Corruption on bad bytes
  // (the engine then starts the group afresh and logs it).
  virtual void Encode(const GroupState& group, StateWriter& out) const = 0;
  virtual Result<std::unique_ptr<GroupState>> Decode(StateReader& in) const = 0;
};

}  // namespace ef::rules
