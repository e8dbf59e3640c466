#include "core/config_bind.h"

#include <algorithm>

namespace ef {
namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string SuggestKey(std::string_view key, std::span<const std::string_view> known) {
  // A typo is at most a third of the key's length away (and at least one edit is allowed).
  const size_t limit = std::max<size_t>(1, key.size() / 3);
  std::string_view best;
  size_t best_distance = limit + 1;
  for (std::string_view candidate : known) {
    const size_t d = EditDistance(key, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return std::string(best);
}

std::string SectionLabel(std::string_view section) {
  if (section.empty()) return "the top level";
  // Built by appending: GCC 12 warns falsely (-Wrestrict) on "[" + std::string(...) at -O3.
  std::string label = "[";
  label.append(section).append("]");
  return label;
}

std::string CheckMqttUri(const ConfigNode& node) {
  const auto& uri = std::get<std::string>(node.scalar);
  static constexpr std::string_view kSchemes[] = {"tcp://", "ssl://"};
  for (std::string_view scheme : kSchemes) {
    if (uri.starts_with(scheme)) {
      const std::string rest = uri.substr(scheme.size());
      const size_t colon = rest.rfind(':');
      if (rest.empty() || colon == 0) return "URI '" + uri + "' has no host";
      if (colon != std::string::npos) {
        const std::string port = rest.substr(colon + 1);
        if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos ||
            std::stol(port) < 1 || std::stol(port) > 65535) {
          return "URI '" + uri + "' has an invalid port";
        }
      }
      return {};
    }
  }
  return "URI '" + uri + "' must start with tcp:// or ssl://";
}

std::string CheckQos01(const ConfigNode& node) {
  const int64_t qos = std::get<int64_t>(node.scalar);
  return (qos == 0 || qos == 1) ? std::string() : "QoS must be 0 or 1";
}

std::string CheckPositive(const ConfigNode& node) {
  return std::get<int64_t>(node.scalar) > 0 ? std::string() : "must be greater than 0";
}

std::string CheckNotNegative(const ConfigNode& node) {
  return std::get<int64_t>(node.scalar) >= 0 ? std::string() : "must be 0 or greater";
}

std::string CheckNonEmpty(const ConfigNode& node) {
  if (node.type == ConfigType::kString && std::get<std::string>(node.scalar).empty()) {
    return "must not be empty";
  }
  if (node.type == ConfigType::kArray && node.items.empty()) return "must not be empty";
  return {};
}

namespace config_internal {

std::string_view Assign(const ConfigNode& node, std::string* target) {
  if (node.type != ConfigType::kString) return ConfigTypeName(ConfigType::kString);
  *target = std::get<std::string>(node.scalar);
  return {};
}

std::string_view Assign(const ConfigNode& node, int64_t* target) {
  if (node.type != ConfigType::kInteger) return ConfigTypeName(ConfigType::kInteger);
  *target = std::get<int64_t>(node.scalar);
  return {};
}

std::string_view Assign(const ConfigNode& node, bool* target) {
  if (node.type != ConfigType::kBool) return ConfigTypeName(ConfigType::kBool);
  *target = std::get<bool>(node.scalar);
  return {};
}

std::string_view Assign(const ConfigNode& node, double* target) {
  if (node.type == ConfigType::kFloat) {
    *target = std::get<double>(node.scalar);
  } else if (node.type == ConfigType::kInteger) {
    *target = static_cast<double>(std::get<int64_t>(node.scalar));
  } else {
    return ConfigTypeName(ConfigType::kFloat);
  }
  return {};
}

std::string_view Assign(const ConfigNode& node, std::vector<std::string>* target) {
  static constexpr std::string_view kExpected = "an array of strings";
  if (node.type != ConfigType::kArray) return kExpected;
  std::vector<std::string> values;
  for (const ConfigNode& item : node.items) {
    if (item.type != ConfigType::kString) return kExpected;
    values.push_back(std::get<std::string>(item.scalar));
  }
  *target = std::move(values);
  return {};
}

std::string NotOneOf(std::span<const std::string_view> allowed, std::string_view value) {
  std::string list;
  for (size_t i = 0; i < allowed.size(); ++i) {
    if (i > 0) list += i + 1 == allowed.size() ? " or " : ", ";
    list.append("\"").append(allowed[i]).append("\"");
  }
  std::string message = "must be " + list + ", not \"";
  return message.append(value).append("\"");
}

std::string WrongType(std::string_view key, std::string_view section, std::string_view expected,
                      const ConfigNode& node) {
  std::string message = "'";  // appended: see SectionLabel on -Wrestrict
  message.append(key).append("' in ").append(SectionLabel(section)).append(" must be ");
  return message.append(expected).append(", not ").append(ConfigTypeName(node.type));
}

void ReportUnknown(const std::string& key, const ConfigNode& node, std::string_view section,
                   std::span<const std::string_view> known, ConfigErrors& errors) {
  std::string message = "unknown key '" + key + "' in " + SectionLabel(section);
  const std::string hint = SuggestKey(key, known);
  if (!hint.empty()) message += " (did you mean '" + hint + "'?)";
  errors.Add(node.key_pos, std::move(message));
}

void ReportUnknownKeys(const ConfigNode& table, std::string_view section,
                       std::span<const std::string_view> known, ConfigErrors& errors) {
  for (const auto& [key, node] : table.members) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      ReportUnknown(key, node, section, known, errors);
    }
  }
}

}  // namespace config_internal
}  // namespace ef
