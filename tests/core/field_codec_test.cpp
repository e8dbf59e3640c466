#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "core/field_codec.h"

namespace ef {
namespace {

std::vector<Field> EveryKind() {
  const double inf = std::numeric_limits<double>::infinity();
  return {{"on", true},
          {"off", false},
          {"min", std::numeric_limits<int64_t>::min()},
          {"max", std::numeric_limits<int64_t>::max()},
          {"zero", int64_t{0}},
          {"temp", 41.7},
          {"neg_zero", -0.0},
          {"nan", std::numeric_limits<double>::quiet_NaN()},
          {"inf", inf},
          {"minus_inf", -inf},
          {"empty", std::string()},
          {"binary", std::string("\x00\xff\x80\"\\\n", 6)},
          {"", std::string("nameless")},
          {"long", std::string(300, 'x')}};  // a two-byte varint length
}

// Bitwise equality for doubles, so NaN and -0.0 count as round-tripped.
bool SameValue(const Value& a, const Value& b) {
  if (a.index() != b.index()) return false;
  if (const double* x = std::get_if<double>(&a)) {
    return std::bit_cast<uint64_t>(*x) == std::bit_cast<uint64_t>(std::get<double>(b));
  }
  return a == b;
}

TEST_CASE("every kind of value round-trips through the field codec") {
  const std::vector<Field> fields = EveryKind();
  std::vector<Field> back;
  REQUIRE(DecodeFields(EncodeFields(fields), &back).ok());
  REQUIRE(back.size() == fields.size());
  for (size_t i = 0; i < fields.size(); ++i) {
    CAPTURE(fields[i].name);
    CHECK(back[i].name == fields[i].name);
    CHECK(SameValue(back[i].value, fields[i].value));
  }
  CHECK(std::isnan(std::get<double>(back[7].value)));
}

TEST_CASE("no fields encode as nothing, and nothing decodes as no fields") {
  CHECK(EncodeFields({}).empty());
  std::vector<Field> back = {{"stale", true}};
  REQUIRE(DecodeFields("", &back).ok());
  CHECK(back.empty());
  std::string appended = "prefix";
  AppendEncodedFields({{"a", int64_t{1}}}, &appended);
  CHECK(appended == "prefix" + EncodeFields({{"a", int64_t{1}}}));
}

TEST_CASE("bad bytes are reported as corruption, never read past the end") {
  const std::string good = EncodeFields(EveryKind());
  std::vector<Field> back;
  // Every truncation of a valid encoding (except at a field boundary) is caught.
  size_t corrupt = 0;
  for (size_t n = 1; n < good.size(); ++n) {
    const Status s = DecodeFields(std::string_view(good).substr(0, n), &back);
    if (!s.ok()) {
      ++corrupt;
      CHECK(s.code() == Status::Code::kCorruption);
      CHECK(back.empty());
    }
  }
  CHECK(corrupt > good.size() / 2);

  const std::pair<std::string, const char*> cases[] = {
      {std::string("\x02", 1), "unknown format byte 2"},
      {std::string("\x01\x01" "a\x09", 4), "field 0: unknown type tag 9"},
      {std::string("\x01\x01" "a\x00\x07", 5), "field 0: bool byte 7"},
      {std::string("\x01\x01" "a\x01\x01\x02", 6), "field 0: truncated int64"},
      {std::string("\x01\x01" "a\x02", 4), "field 0: truncated double"},
      {std::string("\x01\x01" "a", 3), "field 0: missing type tag"},
      {std::string("\x01\xff\xff\xff\xff\x0f" "a", 7), "field 0: name length beyond the end"},
      {std::string("\x01\x01" "a\x03\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 14),
       "field 0: string length beyond the end"},
      {std::string("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 12),
       "field 0: name length beyond the end"},  // an endless varint
      {std::string("\x01\x01" "a\x00\x01\x01" "b\x05", 8), "field 1: unknown type tag 5"},
  };
  for (const auto& [bytes, expected] : cases) {
    CAPTURE(expected);
    const Status s = DecodeFields(bytes, &back);
    CHECK(s.code() == Status::Code::kCorruption);
    CHECK(s.message().find(expected) != std::string::npos);
    CHECK(back.empty());
  }
}

TEST_CASE("ByteSize counts fields, and an event without fields as before") {
  Event e;
  e.payload = "{}";
  const size_t bare = e.ByteSize();
  CHECK(bare == 42);
  e.fields = {{"temp", 41.7}, {"note", std::string(100, 'n')}};
  CHECK(e.ByteSize() >= bare + EncodeFields(e.fields).size() - 8);
  CHECK(e.ByteSize() > bare + 100);
}

}  // namespace
}  // namespace ef
