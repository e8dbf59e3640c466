#include "rules/detectors/stat_detectors.h"

#include <algorithm>
#include <cmath>

namespace ef::rules {
namespace {

Status BadState(std::string_view kind) {
  return Status::Corruption("checkpoint of a '" + std::string(kind) +
                            "' detector does not parse");
}

size_t Capacity(int64_t window) { return static_cast<size_t>(std::max<int64_t>(window, 1)); }

}  // namespace

ZScoreDetector::ZScoreDetector(ZScoreConfig config)
    : config_(config), ring_(Capacity(config.window)) {}

Verdict ZScoreDetector::Observe(int64_t t_ms, double value) {
  (void)t_ms;
  Verdict verdict;
  const double sd = ring_.Stddev();
  if (static_cast<int64_t>(ring_.size()) >= config_.min_samples && sd > 0.0) {
    const double z = (value - ring_.Mean()) / sd;
    verdict = {z, std::abs(z) >= config_.limit};
  }
  ring_.Push(value);
  return verdict;
}

std::string ZScoreDetector::SaveState() const {
  NumWriter out("zscore", 64 + 8 * ring_.size());
  ring_.Save(out);
  return out.Take();
}

Status ZScoreDetector::LoadState(std::string_view bytes) {
  NumReader in(bytes, "zscore");
  SampleRing ring(Capacity(config_.window));
  if (!ring.Load(in) || !in.ok()) return BadState(kind());
  ring_ = std::move(ring);
  return Status::Ok();
}

RobustZDetector::RobustZDetector(RobustZConfig config)
    : config_(config), window_(Capacity(config.window)) {}

Verdict RobustZDetector::Observe(int64_t t_ms, double value) {
  (void)t_ms;
  Verdict verdict;
  if (static_cast<int64_t>(window_.size()) >= config_.min_samples) {
    const double median = window_.Median();
    const double mad = window_.MedianDistance(median);
    if (mad > 0.0) {
      const double z = 0.6745 * (value - median) / mad;
      verdict = {z, std::abs(z) >= config_.limit};
    }
  }
  window_.Push(value);
  return verdict;
}

std::string RobustZDetector::SaveState() const {
  NumWriter out("robust_z", 64 + 8 * window_.size());
  window_.Save(out);
  return out.Take();
}

Status RobustZDetector::LoadState(std::string_view bytes) {
  NumReader in(bytes, "robust_z");
  SortedWindow window(Capacity(config_.window));
  if (!window.Load(in) || !in.ok()) return BadState(kind());
  window_ = std::move(window);
  return Status::Ok();
}

Verdict EwmaDetector::Observe(int64_t t_ms, double value) {
  (void)t_ms;
  ++n_;
  if (n_ <= config_.warmup) {
    // Welford's update; at the end of the warm-up m2_ becomes the variance.
    const double delta = value - mean_;
    mean_ += delta / static_cast<double>(n_);
    m2_ += delta * (value - mean_);
    if (n_ == config_.warmup) m2_ /= static_cast<double>(std::max<int64_t>(n_ - 1, 1));
    stat_ = mean_;
    return {};
  }
  stat_ = config_.lambda * value + (1.0 - config_.lambda) * stat_;
  const double sigma = std::sqrt(m2_ * config_.lambda / (2.0 - config_.lambda));
  const double score = sigma > 0.0 ? (stat_ - mean_) / sigma : 0.0;
  const bool out_of_control = std::abs(score) >= config_.limit;
  if (!out_of_control && config_.baseline_alpha > 0.0) {
    const double delta = value - mean_;
    mean_ += config_.baseline_alpha * delta;
    m2_ = (1.0 - config_.baseline_alpha) * (m2_ + config_.baseline_alpha * delta * delta);
  }
  return {score, out_of_control};
}

std::string EwmaDetector::SaveState() const {
  return NumWriter("ewma").Int(n_).Num(mean_).Num(m2_).Num(stat_).Take();
}

Status EwmaDetector::LoadState(std::string_view bytes) {
  NumReader in(bytes, "ewma");
  const int64_t n = in.Int();
  const double mean = in.Num();
  const double m2 = in.Num();
  const double stat = in.Num();
  if (!in.ok()) return BadState(kind());
  n_ = n;
  mean_ = mean;
  m2_ = m2;
  stat_ = stat;
  return Status::Ok();
}

}  // namespace ef::rules
