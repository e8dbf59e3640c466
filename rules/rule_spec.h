// RuleSpec: what every rule has, whatever its kind: its name, which events it takes (match
// and `where`), how it groups them, where its outputs go, what becomes of the raw input it
// takes, and its bounds. BindRuleSpec() reads these keys from a [[rule]] table; the rule's
// kind reads its own keys from the same table (rule_kinds.h). The keys are documented in
// rules/README.md.
//
// Matches() and GroupKey() are pure: thread-safe on a const spec.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/config_bind.h"
#include "core/event.h"
#include "rules/where.h"

namespace ef::rules {

// What becomes of the raw events a rule takes.
enum class RawInput {
  kKeep,      // stored and uplinked as they came
  kDrop,      // only the rule's outputs go on
  kDeadband,  // kept when a `fields` value moved more than `deadband` since the last kept one
};

// A field a rule names, where: for checks against the data contracts (`edgeferry check`,
// daemon/rule_field_check.h). `device` and `stream` in `where` and `group_by` name the event's
// own device id and stream, so they are not listed.
struct FieldRef {
  std::string name;  // the field
  std::string key;   // the rule's key that names it: "fields", "where" or "group_by"
  SourcePos pos;     // where that key is
};

struct RuleSpec {
  std::string name;  // required; letters, digits, '_', '-' and '.'
  std::string kind;  // required; a name in the RuleKinds registry
  std::string file;  // the file it came from, for messages
  SourcePos pos;     // where its [[rule]] table starts
  // --- match: all given conditions must hold ---
  std::string stream;  // Default: "" = any stream
  std::string topic;   // MQTT filter (+, #) or template ({name} = one level) on the origin
  std::string device;  // glob (*, ?, [..]) on the device id. Default: any device
  // How `device` is matched, derived from it by BindRuleSpec/PrepareGlob: a plain name, a
  // "prefix*", or a general glob (fnmatch).
  enum class Glob : uint8_t { kAny, kExact, kPrefix, kGeneral } device_glob = Glob::kAny;
  std::vector<std::string> fields;  // the fields the rule reads; at least one present
  Where where;                      // Default: everything passes
  std::string where_text;
  // --- grouping and output ---
  std::vector<std::string> group_by = {"device"};  // Default: ["device"]; any field names
  std::string output = "aggregates";               // Default: "aggregates"
  std::string late_stream = "late";                // Default: "late"; "" = count only
  RawInput raw = RawInput::kKeep;                  // Default: "keep"
  double deadband = 0;                             // Default: 0 (any change is kept)
  // Default: "" (none); outputs also go to this local broker topic, {rule} and {device}
  // replaced (daemon/local_publish.h)
  std::string publish_topic;
  // --- time and bounds ---
  int64_t lateness_ms = 0;       // Default: "0s": event time may go back this far
  int64_t idle_timeout_ms = 0;   // Default: "0s" = never; a silent group is closed after it
  int64_t max_groups = 10'000;   // Default: 10000 open groups
  int64_t max_state_bytes = 16 << 20;  // Default: 16 MiB of open state
  std::vector<FieldRef> field_refs;  // the fields the keys above name, derived by BindRuleSpec
  uint64_t fingerprint = 0;      // hash of the rule's whole table: same definition, same hash
};

// Binds the common keys of one [[rule]] table into `spec` (name/kind required) and checks
// them; errors go to `errors` with their position. Keys it does not know are left to the
// kind's binder and to the unknown-key report of `shared`.
void BindRuleSpec(const ConfigNode& table, SharedTable& shared, RuleSpec& spec,
                  ConfigErrors& errors);

// Whether `event` is one the rule takes (stream, topic, device, fields, where).
bool Matches(const RuleSpec& spec, const Event& event);
// The two parts of Matches(): the device glob alone (the engine keeps it per device, see
// device_match_cache.h), and everything else.
bool DeviceMatches(const RuleSpec& spec, const std::string& device);
bool MatchesBesidesDevice(const RuleSpec& spec, const Event& event);

// The group `event` belongs to: the group_by values joined by '|' ("dev-07", "line-3|dev-07");
// a missing field is empty.
std::string GroupKey(const RuleSpec& spec, const Event& event);

// Sets spec.device_glob from spec.device (BindRuleSpec calls it; so must code that sets
// `device` itself).
void PrepareGlob(RuleSpec& spec);

// Shell glob match (*, ?, [..]) of `text` against `pattern`, as fnmatch(3) without flags.
bool GlobMatches(const std::string& pattern, const std::string& text);

// MQTT-style filter match of `topic` against `filter` (+ one level, # the rest, {x} = +).
bool TopicMatches(std::string_view filter, std::string_view topic);

// A stable 64-bit hash of a table's content (keys, values; not positions).
uint64_t Fingerprint(const ConfigNode& table);

}  // namespace ef::rules
