// The SVG that `edgeferry replay --plot FILE.svg` draws: the series as a line (at most two
// points per pixel column: its minimum and maximum, so spikes survive), labelled anomaly
// windows as shaded bands, raised alerts as red markers with a dashed line, cleared alerts
// as green ticks, and the time and value ranges. Self-contained: no script, no font file,
// no external reference. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/replay_labels.h"

namespace ef::daemon {

struct PlotSeries {
  std::string title;
  std::vector<int64_t> t_ms;
  std::vector<double> value;     // NaN where the row had no number
  std::vector<size_t> raised;    // row indices where an alert was raised
  std::vector<size_t> cleared;   // row indices where an alert was cleared
  std::vector<LabelWindow> labels;
};

std::string RenderPlotSvg(const PlotSeries& series);

}  // namespace ef::daemon
