// DuplicateWindowWatch: a deduplicating cloud (JetStream) recognises a resend only within its
// duplicate window. Look() warns (at most once a minute) when a queued event is older than
// that window: if it was sent before, its resend may be stored twice.
//
// Thread-safety: none; it belongs to the forwarder thread.
#pragma once

#include <chrono>

#include "core/clock.h"
#include "core/log.h"
#include "core/store.h"

namespace ef::uplink {

class DuplicateWindowWatch {
 public:
  // `window` 0: no window, Look() does nothing.
  DuplicateWindowWatch(std::chrono::seconds window, Logger& log) : window_(window), log_(log) {}
  // Reads Store::Stats() (call it every few seconds, not per publish).
  void Look(Store& store, const Clock& clock);

 private:
  const std::chrono::seconds window_;
  Logger& log_;
  LogThrottle throttle_{std::chrono::minutes(1)};
};

}  // namespace ef::uplink
