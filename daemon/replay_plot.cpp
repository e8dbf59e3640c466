#include "daemon/replay_plot.h"

#include <algorithm>
#include <cmath>
#include <charconv>
#include <ctime>

namespace ef::daemon {
namespace {

constexpr double kWidth = 1200, kHeight = 420, kLeft = 70, kRight = 20, kTop = 36, kBottom = 40;

// to_chars: the same text whatever the locale (an SVG number never has a decimal comma).
std::string Fixed(double v) {
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 1);
  return std::string(buf, result.ptr);
}

std::string Label(double v) {
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 4);
  return std::string(buf, result.ptr);
}

std::string DateText(int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string Escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

struct Scale {
  int64_t t0, t1;
  double v0, v1;
  double X(int64_t t) const {
    const double span = static_cast<double>(std::max<int64_t>(t1 - t0, 1));
    return kLeft + (kWidth - kLeft - kRight) * static_cast<double>(t - t0) / span;
  }
  double Y(double v) const {
    const double span = v1 > v0 ? v1 - v0 : 1.0;
    return kHeight - kBottom - (kHeight - kTop - kBottom) * (v - v0) / span;
  }
};

// Min and max per pixel column, in time order, so a spike is never averaged away.
std::string LinePoints(const PlotSeries& s, const Scale& scale) {
  std::string points;
  int column = -1;
  double lo = 0, hi = 0;
  size_t lo_i = 0, hi_i = 0;
  auto flush = [&] {
    if (column < 0) return;
    const size_t first = std::min(lo_i, hi_i), second = std::max(lo_i, hi_i);
    for (const size_t i : {first, second}) {
      points += Fixed(scale.X(s.t_ms[i])) + "," + Fixed(scale.Y(s.value[i])) + " ";
    }
  };
  for (size_t i = 0; i < s.value.size(); ++i) {
    if (std::isnan(s.value[i])) continue;
    const int c = static_cast<int>(scale.X(s.t_ms[i]));
    if (c != column) {
      flush();
      column = c;
      lo = hi = s.value[i];
      lo_i = hi_i = i;
    } else if (s.value[i] < lo) {
      lo = s.value[i];
      lo_i = i;
    } else if (s.value[i] > hi) {
      hi = s.value[i];
      hi_i = i;
    }
  }
  flush();
  return points;
}

}  // namespace

std::string RenderPlotSvg(const PlotSeries& s) {
  Scale scale{0, 1, 0.0, 1.0};
  if (!s.t_ms.empty()) {
    scale.t0 = *std::min_element(s.t_ms.begin(), s.t_ms.end());
    scale.t1 = *std::max_element(s.t_ms.begin(), s.t_ms.end());
  }
  bool any = false;
  for (const double v : s.value) {
    if (std::isnan(v)) continue;
    scale.v0 = any ? std::min(scale.v0, v) : v;
    scale.v1 = any ? std::max(scale.v1, v) : v;
    any = true;
  }
  const double pad = (scale.v1 - scale.v0) * 0.05;
  scale.v0 -= pad;
  scale.v1 += pad;
  const std::string bottom = Fixed(kHeight - kBottom), top = Fixed(kTop);
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Fixed(kWidth) +
                    "\" height=\"" + Fixed(kHeight) + "\" font-family=\"sans-serif\" " +
                    "font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += "<text x=\"" + Fixed(kLeft) + "\" y=\"20\" font-size=\"14\">" + Escape(s.title) +
         " (" + std::to_string(s.raised.size()) + " alerts, " +
         std::to_string(s.labels.size()) + " labelled windows)</text>\n";
  for (const LabelWindow& w : s.labels) {
    const double x0 = scale.X(w.start_ms), x1 = scale.X(w.end_ms);
    svg += "<rect class=\"label\" x=\"" + Fixed(x0) + "\" y=\"" + top + "\" width=\"" +
           Fixed(std::max(x1 - x0, 1.0)) + "\" height=\"" + Fixed(kHeight - kTop - kBottom) +
           "\" fill=\"#f5c542\" fill-opacity=\"0.3\"/>\n";
  }
  svg += "<polyline fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"1\" points=\"" +
         LinePoints(s, scale) + "\"/>\n";
  for (const size_t i : s.cleared) {
    const double x = scale.X(s.t_ms[i]);
    svg += "<line class=\"cleared\" x1=\"" + Fixed(x) + "\" x2=\"" + Fixed(x) + "\" y1=\"" +
           bottom + "\" y2=\"" + Fixed(kHeight - kBottom - 10) +
           "\" stroke=\"#2a9d2a\" stroke-width=\"2\"/>\n";
  }
  for (const size_t i : s.raised) {
    const double x = scale.X(s.t_ms[i]);
    svg += "<line x1=\"" + Fixed(x) + "\" x2=\"" + Fixed(x) + "\" y1=\"" + top + "\" y2=\"" +
           bottom + "\" stroke=\"#d62728\" stroke-dasharray=\"4 3\"/>\n";
    svg += "<circle class=\"alert\" cx=\"" + Fixed(x) + "\" cy=\"" +
           Fixed(scale.Y(std::isnan(s.value[i]) ? scale.v0 : s.value[i])) +
           "\" r=\"4\" fill=\"#d62728\"><title>alert raised at " + DateText(s.t_ms[i]) +
           "</title></circle>\n";
  }
  svg += "<line x1=\"" + Fixed(kLeft) + "\" x2=\"" + Fixed(kLeft) + "\" y1=\"" + top +
         "\" y2=\"" + bottom + "\" stroke=\"black\"/>\n";
  svg += "<line x1=\"" + Fixed(kLeft) + "\" x2=\"" + Fixed(kWidth - kRight) + "\" y1=\"" +
         bottom + "\" y2=\"" + bottom + "\" stroke=\"black\"/>\n";
  svg += "<text x=\"4\" y=\"" + Fixed(scale.Y(scale.v1 - pad) + 4) + "\">" +
         Label(scale.v1 - pad) + "</text>\n";
  svg += "<text x=\"4\" y=\"" + Fixed(scale.Y(scale.v0 + pad) + 4) + "\">" +
         Label(scale.v0 + pad) + "</text>\n";
  svg += "<text x=\"" + Fixed(kLeft) + "\" y=\"" + Fixed(kHeight - 14) + "\">" +
         DateText(scale.t0) + "</text>\n";
  svg += "<text x=\"" + Fixed(kWidth - kRight) + "\" y=\"" + Fixed(kHeight - 14) +
         "\" text-anchor=\"end\">" + DateText(scale.t1) + "</text>\n</svg>\n";
  return svg;
}

}  // namespace ef::daemon
