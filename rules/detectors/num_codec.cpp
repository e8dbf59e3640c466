#include "rules/detectors/num_codec.h"

#include <charconv>

namespace ef::rules {

NumWriter& NumWriter::Num(double value) {
  // to_chars: shortest form that reads back to the same double, whatever the locale.
  char buf[40];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  out_ += ' ';
  out_.append(buf, result.ptr);
  return *this;
}

NumWriter& NumWriter::Int(int64_t value) {
  out_ += ' ';
  out_ += std::to_string(value);
  return *this;
}

NumReader::NumReader(std::string_view bytes, std::string_view tag) : rest_(bytes) {
  ok_ = NextToken() == tag;
}

std::string_view NumReader::NextToken() {
  while (!rest_.empty() && rest_.front() == ' ') rest_.remove_prefix(1);
  const size_t end = rest_.find(' ');
  const std::string_view token = rest_.substr(0, end);
  rest_.remove_prefix(token.size());
  return token;
}

double NumReader::Num() {
  if (!ok_) return 0.0;
  const std::string_view token = NextToken();
  double value = 0.0;
  const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (token.empty() || ec != std::errc() || ptr != token.data() + token.size()) ok_ = false;
  return value;
}

int64_t NumReader::Int() {
  if (!ok_) return 0;
  const std::string_view token = NextToken();
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (token.empty() || ec != std::errc() || ptr != token.data() + token.size()) ok_ = false;
  return value;
}

bool NumReader::ok() const {
  if (!ok_) return false;
  for (const char c : rest_) {
    if (c != ' ') return false;
  }
  return true;
}

}  // namespace ef::rules
