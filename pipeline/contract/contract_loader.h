// Loading data contracts: every *.toml file of a directory is one contract (file order by
// name). Errors name the file, line and column, as every config error does, and include the
// evolution check (pipeline/contract/contract.h): a file with an incompatible step is refused.
//
// A contract file:
//   name = "pump"                                   # required, unique across the directory
//   topic_template = "plant/{site}/{device}/telemetry"   # or: stream = "telemetry"
//   version_field = "schema"                        # default: none (every message: version 1st)
//   unknown_fields = "keep"                         # keep | drop | reject
//   [[versions]]
//   version = 1
//   [[versions.fields]]
//   name = "temp"
//   type = "float"                                  # bool | int | float | string | timestamp
//   required = true                                 # default false
//   default = 0.0                                   # for an optional field
//   unit = "degC"
//   min = -40.0
//   max = 150.0
//   renamed_from = "t"                              # its name in the previous version
//   deprecated = false
//
// Pure functions of the files; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "pipeline/contract/contract.h"

namespace ef::pipeline {

// Parses one contract file's text; errors are added with `file` positions.
Contract ParseContract(std::string_view text, const std::string& file, ConfigErrors& errors);

// Loads every *.toml file in `dir`. A missing directory holds no contracts. Returns the error
// lines ("file:line:col: message"); `out` is filled only when there is none.
std::vector<std::string> LoadContracts(const std::string& dir, std::vector<Contract>* out);

}  // namespace ef::pipeline
