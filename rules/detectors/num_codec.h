// NumWriter / NumReader: the text form of a detector's checkpoint, a kind tag followed by
// numbers separated by spaces ("adaptive 3 0.5 1e-3 ..."). Doubles are written in their
// shortest exact form (std::to_chars, locale-independent) so that a restored detector continues
// bit-for-bit. Plain values, not
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ef::rules {

class NumWriter {
 public:
  explicit NumWriter(std::string_view tag) : out_(tag) {}
  NumWriter& Num(double value);
  NumWriter& Int(int64_t value);
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads what NumWriter wrote. Every read after a failure (wrong tag, missing or malformed
// number) fails too; ok() tells at the end whether all went well.
class NumReader {
 public:
  NumReader(std::string_view bytes, std::string_view tag);
  double Num();
  int64_t Int();
  // True when the tag matched, every number parsed and nothing is left over.
  bool ok() const;

 private:
  std::string_view NextToken();
  std::string_view rest_;
  bool ok_ = true;
};

}  // namespace ef::rules
