// Labelled anomaly windows for `edgeferry replay --labels FILE`: NAB's combined_windows.json
// ({"<category>/<file>.csv": [["<start>", "<end>"], ...], ...}); the entry whose file name is
// the replayed CSV's is taken (no entry: no windows). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace ef::daemon {

struct LabelWindow {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
};

Result<std::vector<LabelWindow>> ReadLabelWindows(const std::string& labels_path,
                                                  const std::string& csv_path);

}  // namespace ef::daemon
