# Sources of the anomaly detectors and alert lifecycle (rules/detectors/), part of ef_rules.
# Kept in their own list so that the rules engine's CMakeLists stays the windows' to edit.
set(EF_RULES_DETECTOR_SOURCES
  detectors/adaptive_detector.cpp
  detectors/alert_event.cpp
  detectors/alert_tracker.cpp
  detectors/basic_detectors.cpp
  detectors/detector_config.cpp
  detectors/detector_rule.cpp
  detectors/stat_detectors.cpp
)
