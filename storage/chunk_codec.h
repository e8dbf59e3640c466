// Chunk codec: one commit group's events of one stream as one compressed blob (a row of the
// stream's chunk table, storage/chunk_table.h), so that a group costs one row instead of one
// row and index entry per event, and its pages are written once at insert and once at delete.
//
// ChunkBuilder serialises events as they are inserted (no copy of the Event is kept); ChunkCodec
// compresses that with zstd level 1 and decodes blobs back into events.
//
// Blob layout (version 1): a version byte 0x01, varint length of the raw bytes, then one zstd
// frame of the raw bytes. Raw bytes: varint event count, then per event (in seq order):
//   varint seq - previous seq (the first: seq - first_seq, i.e. 0), varint accounted size,
//   device and origin (varint length + bytes), zigzag varint ingest_time - previous ingest_time
//   (the first: ingest_time itself), zigzag varint event_time - ingest_time, one byte quality
//   column (QualityColumn: quality plus the clock_unsynced and time_from_payload bits), one
//   byte format, payload and fields (core/field_codec.h's encoding), each varint length + bytes.
// Varints are unsigned LEB128. A decoder meeting a version it does not know, a frame that does
// not decompress or raw bytes that do not parse reports Corruption naming the stream and the
// chunk's first seq; it never reads outside its input. Fields that do not decode leave the
// event's fields empty and mark it kBad, as for a stored row (sqlite_store_impl.h).
//
// ChunkBuilder and ChunkCodec are not thread-safe (the store's lock is held); they own their
// buffers and zstd contexts.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace ef::storage {

// An event as stored in a chunk, with its accounted size (QueueStore's ByteSize at insert).
struct ChunkEvent {
  Event event;  // event.seq set
  uint64_t size = 0;
};

// What a chunk row says about its events, besides the blob.
struct ChunkSummary {
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  uint64_t count = 0;
  uint64_t bytes = 0;           // sum of the accounted sizes
  int64_t oldest_ingest = 0;    // ingest time of the first event (by seq)
};

class ChunkBuilder {
 public:
  // Appends `event` with `seq` and accounted `size`. REQUIRES: empty() or seq > last_seq.
  void Add(const Event& event, uint64_t seq, uint64_t size);
  bool empty() const { return summary_.count == 0; }
  const ChunkSummary& summary() const { return summary_; }
  // The raw (uncompressed) bytes so far, without the leading count.
  std::string_view raw() const { return raw_; }
  void Clear();

 private:
  ChunkSummary summary_;
  std::string raw_;
  std::string fields_;  // reused per event: no allocation once warm
  int64_t last_ingest_ = 0;
};

class ChunkCodec {
 public:
  ChunkCodec();
  ~ChunkCodec();
  ChunkCodec(const ChunkCodec&) = delete;
  ChunkCodec& operator=(const ChunkCodec&) = delete;

  // The blob of what `builder` holds. REQUIRES: !builder.empty().
  Status Encode(const ChunkBuilder& builder, std::string* blob);
  // The blob of `events` (in seq order, non-empty), with their summary in `summary`.
  Status Encode(const std::vector<ChunkEvent>& events, std::string* blob, ChunkSummary* summary);
  // Replaces `out` with the events of the chunk of `stream` starting at `first_seq`.
  Status Decode(std::string_view blob, const std::string& stream, uint64_t first_seq,
                std::vector<ChunkEvent>* out);

 private:
  struct Contexts;
  std::unique_ptr<Contexts> zstd_;
  std::string raw_;  // reused decompression buffer
};

}  // namespace ef::storage
