// PayloadDecoder: turns one message payload into samples (fields and, when configured, an
// event time) by a source's DecodeSpec, with simdjson's on-demand parser.
//
// - json: one object; json_array: an array of objects (one sample each) or one object;
//   value: one scalar (number or bool) named value_field_name; raw: nothing to decode.
// - Fields: `spec.fields` by name or dotted path, else every scalar member, nested objects
//   flattened ("sensors.temp"). Integers stay int64 (an unsigned beyond int64 becomes a
//   double), fractions are doubles, strings and bools as they are; null and arrays are
//   skipped. The time field is not a field: it sets the sample's time.
// - Refused, with a DecodeError naming why: invalid JSON (truncated, NaN/Infinity, invalid
//   UTF-8, numbers out of double range), the wrong top-level type, nesting deeper than
//   kMaxDepth, more than kMaxFields fields or kMaxSamples samples, a key twice in one object,
//   a wanted field or the time field missing or of the wrong type, a time out of range.
//
// Allocation-light: the parser and its buffers are reused across calls; only the Fields
// themselves allocate (names beyond the small-string size, string values).
// Thread-safety: one decoder per thread (it owns the parser); not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/decode_spec.h"
#include "core/event.h"

namespace ef::pipeline {

// Why a payload was refused: a short stable code (a metric label) and the detail.
struct DecodeError {
  std::string_view code;  // e.g. "json_syntax", "time_range"; static storage
  std::string detail;
};

struct Sample {
  std::vector<Field> fields;
  int64_t time_ms = 0;
  bool has_time = false;
};

class PayloadDecoder {
 public:
  static constexpr size_t kMaxDepth = 32;
  static constexpr size_t kMaxFields = 256;
  static constexpr size_t kMaxSamples = 10000;
  // Bytes beyond the payload a caller may leave in its buffer so no copy is needed.
  static constexpr size_t kPadding = 64;

  explicit PayloadDecoder(DecodeSpec spec);
  ~PayloadDecoder();
  PayloadDecoder(const PayloadDecoder&) = delete;
  PayloadDecoder& operator=(const PayloadDecoder&) = delete;

  // Decodes `payload` into `*out` (cleared first; capacity reused). `capacity` is the size of
  // the buffer `payload` starts at: when it holds kPadding more bytes, no copy is made.
  // Returns false and fills `*error` on refusal (then `*out` is unspecified).
  bool Decode(std::string_view payload, size_t capacity, std::vector<Sample>* out,
              DecodeError* error);
  const DecodeSpec& spec() const { return spec_; }

 private:
  struct Impl;
  DecodeSpec spec_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ef::pipeline
