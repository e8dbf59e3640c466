#include "storage/chunk_codec.h"

#include <zstd.h>

#include "core/byte_codec.h"
#include "core/field_codec.h"
#include "storage/sqlite_store_impl.h"

namespace ef::storage {
namespace {

constexpr char kVersion1 = 0x01;
constexpr int kLevel = 1;                      // zstd's fastest level: flash, not ratio
constexpr uint64_t kMaxRaw = uint64_t{1} << 30;  // no group comes near; guards a bad length

using bytes::ByteReader;
using bytes::PutBytes;
using bytes::PutVarint;
using bytes::UnZigZag;
using bytes::ZigZag;

// One event of the raw bytes; false when they end early or hold an impossible value.
bool ParseEvent(ByteReader& in, uint64_t* seq, int64_t* ingest, ChunkEvent* out,
                std::string* fields) {
  uint64_t delta = 0, ingest_delta = 0, event_delta = 0;
  uint8_t quality = 0, format = 0;
  Event& e = out->event;
  if (!in.Varint(&delta) || !in.Varint(&out->size) || !in.Bytes(&e.device_id) ||
      !in.Bytes(&e.origin) || !in.Varint(&ingest_delta) || !in.Varint(&event_delta) ||
      !in.Byte(&quality) || !in.Byte(&format) || !in.Bytes(&e.payload) || !in.Bytes(fields)) {
    return false;
  }
  if (format > static_cast<uint8_t>(PayloadFormat::kJson)) return false;
  *seq += delta;
  *ingest += UnZigZag(ingest_delta);
  e.seq = *seq;
  e.ingest_time_ms = *ingest;
  e.event_time_ms = *ingest + UnZigZag(event_delta);
  e.quality = static_cast<Quality>(quality & ~(kUnsyncedBit | kPayloadTimeBit) & 0x3);
  e.clock_unsynced = (quality & kUnsyncedBit) != 0;
  e.time_from_payload = (quality & kPayloadTimeBit) != 0;
  e.format = static_cast<PayloadFormat>(format);
  e.fields.clear();
  if (!fields->empty() && !DecodeFields(*fields, &e.fields).ok()) e.quality = Quality::kBad;
  return true;
}

}  // namespace

void ChunkBuilder::Add(const Event& event, uint64_t seq, uint64_t size) {
  if (summary_.count == 0) {
    summary_.first_seq = seq;
    summary_.last_seq = seq;
    summary_.oldest_ingest = event.ingest_time_ms;
    last_ingest_ = 0;
  }
  PutVarint(&raw_, seq - summary_.last_seq);
  PutVarint(&raw_, size);
  PutBytes(&raw_, event.device_id);
  PutBytes(&raw_, event.origin);
  PutVarint(&raw_, ZigZag(event.ingest_time_ms - last_ingest_));
  PutVarint(&raw_, ZigZag(event.event_time_ms - event.ingest_time_ms));
  raw_ += static_cast<char>(QualityColumn(event));
  raw_ += static_cast<char>(event.format);
  PutBytes(&raw_, event.payload);
  fields_.clear();
  AppendEncodedFields(event.fields, &fields_);
  PutBytes(&raw_, fields_);
  last_ingest_ = event.ingest_time_ms;
  summary_.last_seq = seq;
  ++summary_.count;
  summary_.bytes += size;
}

void ChunkBuilder::Clear() {
  summary_ = ChunkSummary{};
  raw_.clear();
}

struct ChunkCodec::Contexts {
  ZSTD_CCtx* compress = ZSTD_createCCtx();
  ZSTD_DCtx* decompress = ZSTD_createDCtx();
  ~Contexts() {
    ZSTD_freeCCtx(compress);
    ZSTD_freeDCtx(decompress);
  }
};

ChunkCodec::ChunkCodec() : zstd_(std::make_unique<Contexts>()) {}
ChunkCodec::~ChunkCodec() = default;

Status ChunkCodec::Encode(const ChunkBuilder& builder, std::string* blob) {
  raw_.clear();
  PutVarint(&raw_, builder.summary().count);
  raw_.append(builder.raw());
  blob->clear();
  *blob += kVersion1;
  PutVarint(blob, raw_.size());
  const size_t header = blob->size();
  blob->resize(header + ZSTD_compressBound(raw_.size()));
  const size_t n = ZSTD_compressCCtx(zstd_->compress, blob->data() + header,
                                     blob->size() - header, raw_.data(), raw_.size(), kLevel);
  if (ZSTD_isError(n)) {
    return Status::IoError(std::string("compress chunk: ") + ZSTD_getErrorName(n));
  }
  blob->resize(header + n);
  return Status::Ok();
}

Status ChunkCodec::Encode(const std::vector<ChunkEvent>& events, std::string* blob,
                          ChunkSummary* summary) {
  ChunkBuilder builder;
  for (const ChunkEvent& e : events) builder.Add(e.event, e.event.seq, e.size);
  *summary = builder.summary();
  return Encode(builder, blob);
}

Status ChunkCodec::Decode(std::string_view blob, const std::string& stream, uint64_t first_seq,
                          std::vector<ChunkEvent>* out) {
  out->clear();
  const auto bad = [&](const char* why) {
    out->clear();
    return Status::Corruption("stream '" + stream + "': chunk at seq " +
                              std::to_string(first_seq) + ": " + why);
  };
  ByteReader head(blob);
  uint8_t version = 0;
  uint64_t raw_size = 0;
  if (!head.Byte(&version) || version != kVersion1) return bad("unknown chunk format");
  if (!head.Varint(&raw_size) || raw_size > kMaxRaw) return bad("bad raw length");
  const size_t header = blob.size() - head.left();
  raw_.resize(raw_size);
  const size_t n = ZSTD_decompressDCtx(zstd_->decompress, raw_.data(), raw_.size(),
                                       blob.data() + header, blob.size() - header);
  if (ZSTD_isError(n) || n != raw_size) return bad("does not decompress");
  ByteReader in(raw_);
  uint64_t count = 0;
  if (!in.Varint(&count) || count == 0 || count > raw_size) return bad("bad event count");
  out->resize(count);
  uint64_t seq = first_seq;
  int64_t ingest = 0;
  std::string fields;
  for (ChunkEvent& e : *out) {
    e.event.stream = stream;
    if (!ParseEvent(in, &seq, &ingest, &e, &fields)) return bad("truncated event");
  }
  if (!in.empty()) return bad("bytes after the last event");
  return Status::Ok();
}

}  // namespace ef::storage
