// What `queue stats` says about the daemon's storage writes (flash wear): bytes, events and
// their ratio, per day of run, and nulls (or a plain sentence) when the file has no figure.
#include <doctest/doctest.h>

#include "daemon/writes_report.h"

namespace ef::daemon {
namespace {

constexpr int64_t kStart = 1'764'000'000'000;

TEST_CASE("storage writes: bytes per event and per day of the daemon's run") {
  // Two hours, 7,200,000 events, 3.6 GB: 500 B/event, 43.2 GB/day.
  const storage::StorageWrites w{3'600'000'000, 7'200'000, kStart, kStart + 7'200'000};
  CHECK(WrittenPerEvent(w) == doctest::Approx(500));
  CHECK(WrittenPerDay(w) == doctest::Approx(43.2e9));
  CHECK(WritesJson(w) ==
        ",\"written_bytes\":3600000000,\"written_events\":7200000,"
        "\"written_bytes_per_event\":500.00,\"written_bytes_per_day\":43200000000.00,"
        "\"written_since_ms\":1764000000000,\"written_as_of_ms\":1764007200000");
  CHECK(DescribeWrites(w, kStart + 7'240'000) ==
        "storage writes since the daemon started (2 h 0 min before the figure): 3.6 GB for 7200000 "
        "events queued, 500.0 B/event, 43.2 GB/day (as of the daemon's last write, 40 s ago)");
}

TEST_CASE("storage writes: unknown parts are null, and a file without a figure says so") {
  const storage::StorageWrites young{4'096, 0, kStart, kStart + 5'000};  // no event, 5 s
  CHECK(WrittenPerEvent(young) < 0);
  CHECK(WrittenPerDay(young) < 0);
  CHECK(WritesJson(young).find("\"written_bytes_per_event\":null,"
                               "\"written_bytes_per_day\":null") != std::string::npos);
  const storage::StorageWrites none;
  CHECK(WritesJson(none).find("\"written_bytes\":null") != std::string::npos);
  CHECK(DescribeWrites(none, kStart) ==
        "storage writes: no figure recorded by the daemon in this file yet");
}

}  // namespace
}  // namespace ef::daemon
