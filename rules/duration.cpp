#include "rules/duration.h"

#include <array>
#include <limits>

namespace ef::rules {
namespace {
struct Unit {
  std::string_view name;
  int64_t ms;
};
// Longer names first, so "ms" is not read as "m" followed by garbage.
constexpr std::array<Unit, 5> kUnits = {{
    {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}}};
}  // namespace

std::optional<int64_t> ParseDurationMs(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    int64_t n = 0;
    const size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (n > std::numeric_limits<int64_t>::max() / 10 - 10) return std::nullopt;
      n = n * 10 + (text[i++] - '0');
    }
    if (i == start) return std::nullopt;
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(i, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) return std::nullopt;
    i += unit->name.size();
    if (n > std::numeric_limits<int64_t>::max() / unit->ms) return std::nullopt;
    total += n * unit->ms;
    if (total < 0) return std::nullopt;
  }
  return total;
}

bool BindDuration(const ConfigNode& table, std::string_view key, int64_t* ms,
                  ConfigErrors& errors) {
  const ConfigNode* node = table.Find(key);
  if (node == nullptr) return true;
  const auto* text = std::get_if<std::string>(&node->scalar);
  std::optional<int64_t> parsed;
  if (node->type == ConfigType::kString && text != nullptr) parsed = ParseDurationMs(*text);
  if (!parsed) {
    errors.Add(node->pos, "'" + std::string(key) +
                              "' must be a duration such as \"500ms\", \"30s\", \"5m\", \"1h\" "
                              "or \"1m30s\"" +
                              (node->type == ConfigType::kString
                                   ? ", not \"" + *text + "\""
                                   : std::string(", not ") +
                                         std::string(ConfigTypeName(node->type))));
    return false;
  }
  *ms = *parsed;
  return true;
}

std::string FormatDurationMs(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  for (auto it = kUnits.rbegin(); it != kUnits.rend(); ++it) {
    if (ms >= it->ms) {
      out += std::to_string(ms / it->ms) + std::string(it->name);
      ms %= it->ms;
    }
  }
  return out;
}

}  // namespace ef::rules
