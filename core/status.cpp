#include "core/status.h"

#include <array>

namespace ef {

std::string Status::ToString() const {
  static constexpr std::array<const char*, 8> kNames = {
      "OK", "invalid argument", "not found", "I/O error", "unavailable", "corruption",
      "permanent failure", "closed"};
  std::string out = kNames[static_cast<size_t>(code_)];
  if (!message_.empty()) out += ": " + message_;
  return out;
}

}  // namespace ef
