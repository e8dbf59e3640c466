#include "pipeline/completeness_config.h"

#include <array>

#include "core/config_bind.h"

namespace ef::pipeline {
namespace {

constexpr char kSection[] = "completeness";
constexpr char kExpected[] = "expected_interval_ms";

std::string CheckAtLeastOne(const ConfigNode& node) {
  const double v = node.type == ConfigType::kFloat ? std::get<double>(node.scalar)
                                                   : static_cast<double>(std::get<int64_t>(node.scalar));
  return v >= 1 ? std::string() : "must be at least 1";
}

const std::array<ConfigField<CompletenessConfig>, 6> kFields = {{
    {"enabled", &CompletenessConfig::enabled, false, nullptr},
    {"window_s", &CompletenessConfig::window_s, false, CheckPositive},
    {"gap_intervals", &CompletenessConfig::gap_intervals, false, CheckAtLeastOne},
    {"silent_intervals", &CompletenessConfig::silent_intervals, false, CheckAtLeastOne},
    {"learn_samples", &CompletenessConfig::learn_samples, false, CheckPositive},
    {"stream", &CompletenessConfig::stream, false, CheckNonEmpty},
}};

void BindExpected(const ConfigNode& table, CompletenessConfig& out, ConfigErrors& errors) {
  if (table.type != ConfigType::kTable) {
    errors.Add(table.pos, "'expected_interval_ms' must be a table of device = milliseconds");
    return;
  }
  for (const auto& [device, node] : table.members) {
    if (node.type != ConfigType::kInteger || std::get<int64_t>(node.scalar) <= 0) {
      errors.Add(node.pos, "'" + device + "': the expected interval must be a positive integer "
                                          "(milliseconds)");
      continue;
    }
    out.expected_interval_ms[device] = std::get<int64_t>(node.scalar);
  }
}

}  // namespace

void BindCompletenessConfig(const ConfigNode& table, CompletenessConfig& out,
                            ConfigErrors& errors) {
  std::vector<std::string_view> known = {kExpected};
  for (const auto& field : kFields) known.push_back(field.key);
  config_internal::ReportUnknownKeys(table, kSection, known, errors);
  config_internal::BindFields<CompletenessConfig>(table, kSection, kFields, out, errors);
  if (const ConfigNode* expected = table.Find(kExpected)) BindExpected(*expected, out, errors);
}

CompletenessOptions ToCompletenessOptions(const CompletenessConfig& config, size_t max_devices) {
  CompletenessOptions options;
  options.window = std::chrono::milliseconds(config.window_s * 1000);
  options.gap_intervals = config.gap_intervals;
  options.silent_intervals = config.silent_intervals;
  options.learn_samples = static_cast<size_t>(config.learn_samples);
  options.max_devices = max_devices;
  options.stream = config.stream;
  options.expected_interval_ms = config.expected_interval_ms;
  return options;
}

}  // namespace ef::pipeline
