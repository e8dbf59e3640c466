#include "tests/support/zstd_frame.h"

#include <zstd.h>

#include <memory>

namespace ef::testkit {

std::optional<std::string> ZstdDecompress(std::string_view compressed, size_t max_bytes) {
  // Streaming, so frames without a declared content size decompress too.
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!ctx) return std::nullopt;
  std::string out;
  std::string chunk(ZSTD_DStreamOutSize(), '\0');
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  for (;;) {
    ZSTD_outBuffer piece{chunk.data(), chunk.size(), 0};
    const size_t left = ZSTD_decompressStream(ctx.get(), &piece, &in);
    if (ZSTD_isError(left)) return std::nullopt;
    out.append(chunk.data(), piece.pos);
    if (out.size() > max_bytes) return std::nullopt;
    // All input read and room left in the output: the decoder holds nothing more.
    if (in.pos == in.size && piece.pos < piece.size) {
      if (left != 0) return std::nullopt;  // a truncated frame
      return out;
    }
  }
}

bool IsZstdTopic(std::string_view topic) { return topic.ends_with("/zstd"); }

}  // namespace ef::testkit
