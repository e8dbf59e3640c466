// Decompressing what edgeferry publishes with `compression = "zstd"` (to "<topic>/zstd"), so
// that tests and benchmark tools can read the batch inside.
//
// Thread-safety: pure function.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ef::testkit {

// The content of the zstd frame(s) in `compressed`, or std::nullopt if it is not valid zstd
// or would decompress to more than `max_bytes`.
std::optional<std::string> ZstdDecompress(std::string_view compressed,
                                          size_t max_bytes = size_t{64} << 20);

// True when a cloud topic names a zstd-compressed message ("edgeferry/gw/telemetry/zstd").
bool IsZstdTopic(std::string_view topic);

}  // namespace ef::testkit
