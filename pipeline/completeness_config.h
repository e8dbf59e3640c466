// [completeness]: the settings of the Completeness stage (pipeline/completeness.h), bound from
// their TOML table here, by the component that owns them.
//
//   [completeness]
//   enabled = false         # Default: false (it adds events to the uplink)
//   window_s = 3600         # Default: 3600 (one window per hour)
//   gap_intervals = 3       # Default: 3
//   silent_intervals = 10   # Default: 10
//   learn_samples = 10      # Default: 10
//   stream = "aggregates"   # Default: "aggregates"
//   [completeness.expected_interval_ms]
//   "dev-01" = 1000         # declared; other devices' intervals are learned
//
// Plain values; not thread-safe.
#pragma once

#include "core/config.h"
#include "pipeline/completeness.h"

namespace ef::pipeline {

struct CompletenessConfig {
  bool enabled = false;  // Default: false
  int64_t window_s = 3600;
  double gap_intervals = 3;
  double silent_intervals = 10;
  int64_t learn_samples = 10;
  std::string stream = "aggregates";
  std::map<std::string, int64_t> expected_interval_ms;
};

void BindCompletenessConfig(const ConfigNode& table, CompletenessConfig& out,
                            ConfigErrors& errors);

// The stage's options from the config; `max_devices` is [metrics] max_devices.
CompletenessOptions ToCompletenessOptions(const CompletenessConfig& config, size_t max_devices);

}  // namespace ef::pipeline
