#include "uplink/duplicate_window.h"

#include <string>

namespace ef::uplink {

void DuplicateWindowWatch::Look(Store& store, const Clock& clock) {
  if (window_.count() <= 0) return;
  Result<StoreStats> stats = store.Stats();
  if (!stats.ok()) return;
  const int64_t window_ms = window_.count() * 1000;
  const int64_t now_ms = clock.WallMillis();
  for (const StreamStats& st : stats->streams) {
    if (st.events == 0 || st.oldest_ingest_ms == 0 || now_ms - st.oldest_ingest_ms <= window_ms) {
      continue;
    }
    uint64_t suppressed = 0;
    if (!throttle_.Allow(clock.Now(), &suppressed)) return;
    log_.Warning("uplink", "the oldest queued event of stream '" + st.stream + "' is " +
                               std::to_string((now_ms - st.oldest_ingest_ms) / 1000) +
                               " s old, more than the cloud's duplicate window (" +
                               std::to_string(window_.count()) +
                               " s): if it was sent before, the cloud cannot recognise its "
                               "resend and may store it twice");
  }
}

}  // namespace ef::uplink
