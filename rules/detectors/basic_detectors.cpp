#include "rules/detectors/basic_detectors.h"

#include <algorithm>
#include <cmath>

#include "rules/detectors/num_codec.h"

namespace ef::rules {
namespace {

Status BadState(std::string_view kind) {
  return Status::Corruption("checkpoint of a '" + std::string(kind) +
                            "' detector does not parse");
}

}  // namespace

Verdict ThresholdDetector::Observe(int64_t t_ms, double value) {
  const double excess = config_.above ? value - config_.limit : config_.limit - value;
  if (active_) {
    // Back inside by the hysteresis ends it; anything short of that keeps it active.
    if (excess <= -config_.hysteresis) {
      active_ = false;
      breach_since_ms_ = -1;
    }
    return {excess, active_};
  }
  if (excess > 0) {
    if (breach_since_ms_ < 0) breach_since_ms_ = t_ms;
    active_ = t_ms - breach_since_ms_ >= config_.min_duration_ms;
  } else {
    breach_since_ms_ = -1;
  }
  return {excess, active_};
}

std::string ThresholdDetector::SaveState() const {
  return NumWriter("threshold").Int(breach_since_ms_).Int(active_ ? 1 : 0).Take();
}

Status ThresholdDetector::LoadState(std::string_view bytes) {
  NumReader in(bytes, "threshold");
  const int64_t since = in.Int();
  const int64_t active = in.Int();
  if (!in.ok()) return BadState(kind());
  breach_since_ms_ = since;
  active_ = active != 0;
  return Status::Ok();
}

Verdict RateDetector::Observe(int64_t t_ms, double value) {
  Verdict verdict;
  if (has_prev_ && t_ms > prev_ms_) {
    const double rate = (value - prev_) * 1000.0 / static_cast<double>(t_ms - prev_ms_);
    verdict = {std::abs(rate), std::abs(rate) > config_.max_per_s};
  }
  if (!has_prev_ || t_ms > prev_ms_) {
    has_prev_ = true;
    prev_ms_ = t_ms;
    prev_ = value;
  }
  return verdict;
}

std::string RateDetector::SaveState() const {
  return NumWriter("rate").Int(has_prev_ ? 1 : 0).Int(prev_ms_).Num(prev_).Take();
}

Status RateDetector::LoadState(std::string_view bytes) {
  NumReader in(bytes, "rate");
  const int64_t has = in.Int();
  const int64_t ms = in.Int();
  const double prev = in.Num();
  if (!in.ok()) return BadState(kind());
  has_prev_ = has != 0;
  prev_ms_ = ms;
  prev_ = prev;
  return Status::Ok();
}

Verdict FlatlineDetector::Observe(int64_t t_ms, double value) {
  const double lo = std::min(run_min_, value);
  const double hi = std::max(run_max_, value);
  if (!has_run_ || hi - lo > config_.tolerance) {
    has_run_ = true;
    run_since_ms_ = t_ms;
    run_min_ = run_max_ = value;
  } else {
    run_min_ = lo;
    run_max_ = hi;
  }
  const int64_t flat_ms = t_ms - run_since_ms_;
  return {static_cast<double>(flat_ms) / 1000.0, flat_ms >= config_.duration_ms};
}

std::string FlatlineDetector::SaveState() const {
  return NumWriter("flatline")
      .Int(has_run_ ? 1 : 0)
      .Int(run_since_ms_)
      .Num(run_min_)
      .Num(run_max_)
      .Take();
}

Status FlatlineDetector::LoadState(std::string_view bytes) {
  NumReader in(bytes, "flatline");
  const int64_t has = in.Int();
  const int64_t since = in.Int();
  const double lo = in.Num();
  const double hi = in.Num();
  if (!in.ok()) return BadState(kind());
  has_run_ = has != 0;
  run_since_ms_ = since;
  run_min_ = lo;
  run_max_ = hi;
  return Status::Ok();
}

Verdict MissingDetector::Observe(int64_t t_ms, double value) {
  (void)value;
  has_last_ = true;
  last_ms_ = std::max(last_ms_, t_ms);
  reported_ = false;
  return {};
}

int64_t MissingDetector::NextDeadline() const {
  if (!has_last_ || reported_) return kNoDeadline;
  return last_ms_ + config_.timeout_ms;
}

Verdict MissingDetector::Tick(int64_t t_ms) {
  if (!has_last_) return {};
  const int64_t gap_ms = t_ms - last_ms_;
  const bool missing = gap_ms >= config_.timeout_ms;
  if (missing) reported_ = true;
  return {static_cast<double>(gap_ms) / 1000.0, missing};
}

std::string MissingDetector::SaveState() const {
  return NumWriter("missing").Int(has_last_ ? 1 : 0).Int(last_ms_).Int(reported_ ? 1 : 0).Take();
}

Status MissingDetector::LoadState(std::string_view bytes) {
  NumReader in(bytes, "missing");
  const int64_t has = in.Int();
  const int64_t last = in.Int();
  const int64_t reported = in.Int();
  if (!in.ok()) return BadState(kind());
  has_last_ = has != 0;
  last_ms_ = last;
  reported_ = reported != 0;
  return Status::Ok();
}

}  // namespace ef::rules
