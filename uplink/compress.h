// zstd compression of a batch before it is published (compression = "zstd").
// Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace ef::uplink {

// How a message is packed before it is published ([uplink] compression).
enum class Compression { kNone, kZstd };

// The zstd frame of `data` (level 3: fast, and ~5-10x on JSON telemetry).
Result<std::string> ZstdCompress(std::string_view data);

}  // namespace ef::uplink
