// Field codec: the one binary representation of an Event's `fields`, used wherever fields
// are stored (the SQLite queue and its dead-letter table).
//
// Layout (version 1): a format byte 0x01, then per field, in order:
//   varint name length, name bytes, a type tag (0 bool, 1 int64, 2 double, 3 string), value:
//   bool 1 byte (0 or 1), int64 and double 8 bytes little-endian (the double's IEEE-754 bits,
//   so NaN and infinities survive), string varint length + bytes (any bytes, not only UTF-8).
// Varints are unsigned LEB128. No fields encode as the empty string (no format byte), so an
// event without fields costs nothing. A decoder meeting a format byte it does not know
// reports Corruption rather than guessing: a newer format needs a newer reader.
//
// Pure functions of their arguments: thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace ef {

// Appends the encoding of `fields` to `out` (nothing when `fields` is empty).
void AppendEncodedFields(const std::vector<Field>& fields, std::string* out);

// The encoding of `fields`; empty for no fields.
std::string EncodeFields(const std::vector<Field>& fields);

// Replaces `*out` with the fields encoded in `bytes` (empty bytes: no fields). On bad bytes
// (unknown format or type tag, truncated, lengths beyond the input, a bool other than 0/1)
// returns Status::Corruption naming the problem and the field's index, and leaves `*out`
// empty. Never reads outside `bytes`, whatever they hold.
Status DecodeFields(std::string_view bytes, std::vector<Field>* out);

}  // namespace ef
