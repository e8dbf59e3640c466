#include "rules/detectors/adaptive_detector.h"

#include <algorithm>
#include <cmath>

namespace ef::rules {
namespace {

size_t Capacity(int64_t n) { return static_cast<size_t>(std::max<int64_t>(n, 1)); }

// A spread floor for surprises that never vary (a constant signal): any change is then
// far in the tail, which is what a constant signal that moves deserves.
constexpr double kMinSpread = 1e-3;
// A sample more than this many times farther from the median than any remembered one is
// anomalous at once (a spike), without waiting for the smoothed likelihood.
constexpr double kOutlierFactor = 2.0;
// The surprise that says so (above the [0, 1] range of rarity).
constexpr double kCertain = 1e9;

}  // namespace

AdaptiveDetector::AdaptiveDetector(AdaptiveConfig config)
    : config_(config),
      values_(Capacity(config.history)),
      changes_(Capacity(config.history)),
      surprises_(Capacity(config.likelihood_window)),
      recent_(Capacity(config.smoothing)),
      since_fired_(config.rearm + 1) {}

double AdaptiveDetector::Surprise(const SortedWindow& window, double x) const {
  const size_t n = window.size();
  if (static_cast<int64_t>(n) < config_.min_samples) return 0.0;
  const double median = window.Median();
  const double distance = std::abs(x - median);
  // Far outside all that was remembered: certain, whatever the smoothing says.
  const double farthest = window.Farthest(median);
  if (distance > kOutlierFactor * farthest && farthest > 0.0) return kCertain;
  const size_t at_least_as_far = window.CountAtLeastAsFar(median, distance);
  const double p = static_cast<double>(at_least_as_far + 1) / static_cast<double>(n + 1);
  return -std::log(p) / std::log(static_cast<double>(n + 1));
}

double AdaptiveDetector::TailOf(double mean) const {
  const double spread = std::max(surprises_.Stddev(), kMinSpread);
  const double z = (mean - surprises_.Mean()) / spread;
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

Verdict AdaptiveDetector::Observe(int64_t t_ms, double value) {
  (void)t_ms;
  const double change = has_prev_ ? value - prev_ : 0.0;
  const double raw = std::max(Surprise(values_, value), Surprise(changes_, change));
  const bool outlier = raw >= kCertain;
  const double surprise = QuantisedRing::Rounded(std::min(raw, 1.0));
  if (values_.ring().full()) {
    has_dropped_ = true;
    dropped_ = values_.ring().Oldest();
  }
  values_.Push(value);
  if (has_prev_) changes_.Push(change);
  has_prev_ = true;
  prev_ = value;
  ++since_fired_;

  // Surprises count only once the first layer has learned enough to give them; the
  // likelihood layer then learns their distribution before it judges.
  double tail = 1.0;
  if (static_cast<int64_t>(values_.size()) > config_.min_samples) {
    recent_.Push(surprise);
    if (static_cast<int64_t>(surprises_.size()) >= config_.min_samples) {
      tail = TailOf(recent_.Mean());
    }
    surprises_.Push(surprise);
  }
  const bool extreme = tail < config_.tail || outlier;
  if (active_) {
    active_ = extreme;
  } else if (extreme && since_fired_ > config_.rearm) {
    active_ = true;
    since_fired_ = 0;
  }
  return {1.0 - tail, active_};
}

std::string AdaptiveDetector::SaveState() const {
  NumWriter out("adaptive", 64 + 8 * values_.size() + 2 * (surprises_.size() + recent_.size()));
  out.Int(has_prev_ ? 1 : 0).Num(prev_).Int(since_fired_).Int(active_ ? 1 : 0);
  out.Int(has_dropped_ ? 1 : 0).Num(dropped_);
  values_.Save(out);
  surprises_.Save(out);
  recent_.Save(out);
  return out.Take();
}

Status AdaptiveDetector::LoadState(std::string_view bytes) {
  NumReader in(bytes, "adaptive");
  const int64_t has_prev = in.Int();
  const double prev = in.Num();
  const int64_t since = in.Int();
  const int64_t active = in.Int();
  const int64_t has_dropped = in.Int();
  const double dropped = in.Num();
  SortedWindow values(Capacity(config_.history));
  QuantisedRing surprises(Capacity(config_.likelihood_window));
  QuantisedRing recent(Capacity(config_.smoothing));
  const bool rings_ok = values.Load(in) && surprises.Load(in) && recent.Load(in);
  if (!rings_ok || !in.ok() || (has_dropped != 0 && !values.ring().full())) {
    return Status::Corruption("checkpoint of an 'adaptive' detector does not parse");
  }
  // The changes, as Observe() computed them: each value minus the one before it.
  SortedWindow changes(Capacity(config_.history));
  const SampleRing& ring = values.ring();
  for (size_t i = 0; i < ring.size(); ++i) {
    if (i > 0) {
      changes.Push(ring.FromOldest(i) - ring.FromOldest(i - 1));
    } else if (has_dropped != 0) {
      changes.Push(ring.FromOldest(0) - dropped);
    }
  }
  has_prev_ = has_prev != 0;
  prev_ = prev;
  since_fired_ = since;
  active_ = active != 0;
  has_dropped_ = has_dropped != 0;
  dropped_ = dropped;
  values_ = std::move(values);
  changes_ = std::move(changes);
  surprises_ = std::move(surprises);
  recent_ = std::move(recent);
  return Status::Ok();
}

}  // namespace ef::rules
