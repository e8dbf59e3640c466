#include "storage/age_history.h"

#include <algorithm>
#include <cstddef>
#include <iterator>

namespace ef::storage {
namespace {
constexpr int64_t kResolutionsPerSpan = 2000;  // at most twice as many samples

Clock::Duration Millis(int64_t ms) { return std::chrono::milliseconds(ms); }
}  // namespace

AgeHistory::AgeHistory(int64_t max_ttl_ms)
    : span_(Millis(max_ttl_ms)),
      resolution_(std::max<Clock::Duration>(std::chrono::seconds(1),
                                            Millis(max_ttl_ms / kResolutionsPerSpan))) {}

void AgeHistory::Note(const SweepTime& at, uint64_t last_seq) {
  if (!started_) {
    started_ = true;
    start_time_ = at;
    start_seq_ = last_seq;
    samples_.push_back({at.now, last_seq});
  }
  last_note_ = at.now;
  if (last_seq == samples_.back().seq) return;
  // Committed by the caller's last commit, if those are all there is (another process may
  // have added some since: then by now), and never before the sample before.
  const Clock::TimePoint committed =
      at.committed_seq == last_seq ? std::min(at.committed_at, at.now) : at.now;
  samples_.push_back({std::max(committed, samples_.back().at), last_seq});
  // Thinning: no three samples within `resolution_`. The middle one goes; its events count
  // as committed at the newest sample, less than `resolution_` later: younger, never older.
  const size_t n = samples_.size();
  if (n >= 3 && samples_[n - 1].at - samples_[n - 3].at < resolution_) {
    samples_.erase(samples_.begin() + static_cast<std::ptrdiff_t>(n - 2));
  }
  // Keep the newest sample at least `span_` old: the cut of the longest TTL needs it.
  while (samples_.size() >= 2 && samples_[1].at <= at.now - span_) samples_.pop_front();
}

ExpiryCut AgeHistory::CutFor(int64_t ttl_ms) const {
  const Clock::TimePoint horizon = last_note_ - Millis(ttl_ms);
  ExpiryCut cut;
  // The newest sample committed at or before the horizon.
  auto after = std::upper_bound(samples_.begin(), samples_.end(), horizon,
                                [](Clock::TimePoint t, const Sample& s) { return t < s.at; });
  if (after != samples_.begin()) cut.max_seq = std::prev(after)->seq;
  if (start_time_.wall_synced) {
    const auto ran_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(last_note_ - start_time_.now);
    cut.earlier_max_seq = start_seq_;
    cut.earlier_ingest_before_ms = start_time_.wall_ms + ran_ms.count() - ttl_ms;
  }
  return cut;
}

}  // namespace ef::storage
