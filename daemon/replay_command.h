// `edgeferry replay`: runs rule files over a recorded CSV in event time, through the same
// rules engine (rules::RulesStage) the daemon runs, as fast as it can, and writes one output
// row per input row:
//
//   edgeferry replay --rules FILE|DIR --csv IN --out OUT [--time-column timestamp]
//                    [--value-column value] [--field NAME] [--device ID]
//                    [--plot FILE.svg] [--labels combined_windows.json]
//
// OUT has the columns timestamp,value,anomaly_score,alert_active: anomaly_score is 1.0 on
// the row where an alert was raised (NAB's scorer reads it with --threshold 0.5), else 0.0;
// alert_active is 1 while an alert is open. Each row becomes one event of device `--device`
// (default "replay") on stream "telemetry" whose field `--field` (default: the value column's
// name) holds the value. The engine's monotonic time is the event time, so idle timeouts and
// missing-data alerts fire as they would have live. Rule state is not persisted.
//
// A summary goes to stderr (rows, rows/s, alerts raised and cleared, other rule outputs, rows
// whose value was not a number). Bad arguments exit 2; unreadable or invalid input exits 1
// with file:line[:col] errors.
#pragma once

#include <string>
#include <vector>

namespace ef::daemon {

// `words` are the arguments after "replay". Returns the exit code.
int RunReplayCommand(const std::vector<std::string>& words);

}  // namespace ef::daemon
