// Contract: a versioned data contract for the events of a topic template or a stream, loaded
// from a TOML file of the contracts directory (pipeline/contract/contract_loader.h), checked
// and normalised by the ContractStage (pipeline/contract/contract_stage.h).
//
// A contract lists versions in ascending order; each version lists its fields with a type,
// whether required (else an optional default), a unit, an allowed range, and how it evolved
// (renamed_from, deprecated). CheckEvolution() says which step from one version to the next
// is not backward compatible. Plain values; thread-safe to read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/event.h"

namespace ef::pipeline {

enum class FieldType : uint8_t { kBool, kInt, kFloat, kString, kTimestamp };
enum class UnknownFields : uint8_t { kKeep, kDrop, kReject };

struct ContractField {
  std::string name;
  FieldType type = FieldType::kFloat;
  bool required = false;
  std::optional<Value> default_value;  // for an optional field that is missing
  std::string unit;                    // documentation (e.g. "degC")
  std::optional<double> min, max;      // for int, float and timestamp (ms)
  std::string renamed_from;            // the field's name in the previous version
  bool deprecated = false;             // still accepted; producers should stop sending it
  SourcePos pos;
};

struct ContractVersion {
  int64_t version = 1;
  bool breaking = false;  // a deliberate incompatible step: CheckEvolution lets it pass
  std::vector<ContractField> fields;
  SourcePos pos;

  const ContractField* Find(std::string_view name) const {
    for (const ContractField& f : fields) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }
};

struct Contract {
  std::string name;
  std::string file;
  std::string topic_template;  // binds by topic (one of topic_template / stream)
  std::string stream;          // ... or by stream
  std::string version_field;   // the event field holding the version (an int or "v2")
  UnknownFields unknown = UnknownFields::kKeep;
  // Duplicate suppression: the fields that identify a message ("device" is the device id),
  // e.g. ["device", "counter"]; empty: none. A message whose key was seen among the last
  // dedup_window keys of this contract is dropped (a broker redelivery).
  std::vector<std::string> dedup_key;
  int64_t dedup_window = 10000;
  std::vector<ContractVersion> versions;  // ascending; never empty once loaded

  const ContractVersion& newest() const { return versions.back(); }
  const ContractVersion* Find(int64_t version) const {
    for (const ContractVersion& v : versions) {
      if (v.version == version) return &v;
    }
    return nullptr;
  }
};

inline std::string_view FieldTypeName(FieldType type) {
  static constexpr std::string_view kNames[] = {"bool", "int", "float", "string", "timestamp"};
  return kNames[static_cast<int>(type)];
}

// Adds to `errors` (positions in the contract's file) every step between consecutive versions
// that is not backward compatible, unless the later version is marked breaking: a required
// field removed, a new required field without a default, a type changed other than
// int -> float (narrowing).
void CheckEvolution(const Contract& contract, ConfigErrors& errors);

}  // namespace ef::pipeline
