// The checks and the normalisation of one event against one contract (ContractStage's core),
// as pure functions. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/event.h"
#include "pipeline/contract/contract.h"

namespace ef::pipeline {

struct ContractViolation {
  std::string_view code;  // static storage
  std::string detail;
};

// Checks `event` against the version it names and normalises it to the newest version.
// Returns false with `*violation` filled; `event` is then partly changed (dead-letter it as
// it is: its payload is untouched).
bool CheckAndNormalise(const Contract& contract, Event& event, ContractViolation* violation);

}  // namespace ef::pipeline
