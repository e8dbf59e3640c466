#include "rules/where.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>

namespace ef::rules {
namespace {

struct OpName {
  std::string_view text;
  int op;
};
// Two-character operators first, so "<=" is not read as "<".
constexpr std::array<OpName, 6> kOps = {{
    {"==", 0}, {"!=", 1}, {"<=", 3}, {">=", 5}, {"<", 2}, {">", 4}}};

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}
  void Skip() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  bool AtEnd() {
    Skip();
    return pos_ >= text_.size();
  }
  std::string_view Word() {
    Skip();
    const size_t start = pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
      if (!word) break;
      ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }
  int Op() {
    Skip();
    for (const OpName& op : kOps) {
      if (text_.substr(pos_, op.text.size()) == op.text) {
        pos_ += op.text.size();
        return op.op;
      }
    }
    return -1;
  }
  // A literal; false (with `*error`) when there is none.
  bool Literal(Value* out, std::string* error) {
    Skip();
    if (pos_ < text_.size() && (text_[pos_] == '\'' || text_[pos_] == '"')) {
      const char quote = text_[pos_];
      const size_t end = text_.find(quote, pos_ + 1);
      if (end == std::string_view::npos) {
        *error = "unterminated string";
        return false;
      }
      *out = std::string(text_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end + 1;
      return true;
    }
    const std::string_view word = Word();
    if (word == "true" || word == "false") {
      *out = word == "true";
      return true;
    }
    int64_t i = 0;
    auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), i);
    if (!word.empty() && ec == std::errc() && ptr == word.data() + word.size()) {
      *out = i;
      return true;
    }
    double d = 0;
    auto [dptr, dec] = std::from_chars(word.data(), word.data() + word.size(), d);
    if (!word.empty() && dec == std::errc() && dptr == word.data() + word.size()) {
      *out = d;
      return true;
    }
    *error = word.empty() ? "expected a value (a number, true, false or a quoted string)"
                          : "'" + std::string(word) +
                                "' is not a value: quote strings ('" + std::string(word) + "')";
    return false;
  }
  size_t pos() const { return pos_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

bool AsNumber(const Value& v, double* out) {
  if (const auto* i = std::get_if<int64_t>(&v)) {
    *out = static_cast<double>(*i);
    return true;
  }
  if (const auto* d = std::get_if<double>(&v)) {
    *out = *d;
    return true;
  }
  return false;
}

template <class T>
bool Compare(const T& a, const T& b, int op) {
  switch (op) {
    case 0: return a == b;
    case 1: return !(a == b);
    case 2: return a < b;
    case 3: return a <= b;
    case 4: return a > b;
    default: return a >= b;
  }
}

}  // namespace

std::vector<std::string> Where::fields() const {
  std::vector<std::string> names;
  for (const Clause& clause : clauses_) {
    if (std::find(names.begin(), names.end(), clause.field) == names.end()) {
      names.push_back(clause.field);
    }
  }
  return names;
}

bool Where::Parse(std::string_view text, std::string* error, size_t* offset) {
  clauses_.clear();
  Scanner scan(text);
  if (scan.AtEnd()) return true;
  for (;;) {
    Clause clause;
    const size_t field_at = (scan.Skip(), scan.pos());
    clause.field = std::string(scan.Word());
    if (clause.field.empty()) {
      *error = "expected a field name";
      *offset = field_at;
      return false;
    }
    const size_t op_at = (scan.Skip(), scan.pos());
    const int op = scan.Op();
    if (op < 0) {
      *error = "expected one of == != < <= > >= after '" + clause.field + "'";
      *offset = op_at;
      return false;
    }
    clause.op = static_cast<Op>(op);
    const size_t value_at = (scan.Skip(), scan.pos());
    if (!scan.Literal(&clause.literal, error)) {
      *offset = value_at;
      return false;
    }
    clauses_.push_back(std::move(clause));
    if (scan.AtEnd()) return true;
    const size_t and_at = scan.pos();
    if (scan.Word() != "and") {
      *error = "expected 'and' between comparisons";
      *offset = and_at;
      return false;
    }
  }
}

const Value* FindField(const Event& event, std::string_view name, Value* scratch) {
  for (const Field& field : event.fields) {
    if (field.name == name) return &field.value;
  }
  if (name == "device") {
    *scratch = event.device_id;
    return scratch;
  }
  if (name == "stream") {
    *scratch = event.stream;
    return scratch;
  }
  return nullptr;
}

bool Where::Holds(const Clause& clause, const Value& value) {
  const int op = static_cast<int>(clause.op);
  double a = 0, b = 0;
  if (AsNumber(value, &a) && AsNumber(clause.literal, &b)) return Compare(a, b, op);
  if (value.index() != clause.literal.index()) return false;
  if (const auto* s = std::get_if<std::string>(&value)) {
    return Compare(*s, std::get<std::string>(clause.literal), op);
  }
  if (const auto* flag = std::get_if<bool>(&value)) {
    return Compare(*flag, std::get<bool>(clause.literal), op);
  }
  return false;
}

bool Where::Passes(const Event& event) const {
  for (const Clause& clause : clauses_) {
    Value scratch;
    const Value* value = FindField(event, clause.field, &scratch);
    if (value == nullptr || !Holds(clause, *value)) return false;
  }
  return true;
}

}  // namespace ef::rules
