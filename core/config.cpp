// toml++ is used header-only with exceptions off (parse_result), confined to this file.
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include "core/config.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ef {
namespace {

SourcePos PosOf(const toml::source_region& region) {
  return {static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

ConfigNode Convert(const toml::node& node) {
  ConfigNode out;
  out.pos = PosOf(node.source());
  switch (node.type()) {
    case toml::node_type::table:
      out.type = ConfigType::kTable;
      for (auto&& [key, value] : *node.as_table()) {
        ConfigNode child = Convert(value);
        child.key_pos = PosOf(key.source());
        out.members.emplace_back(std::string(key.str()), std::move(child));
      }
      break;
    case toml::node_type::array:
      out.type = ConfigType::kArray;
      for (const toml::node& item : *node.as_array()) out.items.push_back(Convert(item));
      break;
    case toml::node_type::string:
      out.type = ConfigType::kString;
      out.scalar = std::string(node.as_string()->get());
      break;
    case toml::node_type::integer:
      out.type = ConfigType::kInteger;
      out.scalar = node.as_integer()->get();
      break;
    case toml::node_type::floating_point:
      out.type = ConfigType::kFloat;
      out.scalar = node.as_floating_point()->get();
      break;
    case toml::node_type::boolean:
      out.type = ConfigType::kBool;
      out.scalar = node.as_boolean()->get();
      break;
    default:
      out.type = ConfigType::kOther;  // dates and times: no key takes them yet
      break;
  }
  return out;
}

}  // namespace

std::string_view ConfigTypeName(ConfigType type) {
  switch (type) {
    case ConfigType::kTable: return "a table";
    case ConfigType::kArray: return "an array";
    case ConfigType::kString: return "a string";
    case ConfigType::kInteger: return "an integer";
    case ConfigType::kFloat: return "a number";
    case ConfigType::kBool: return "a boolean";
    case ConfigType::kOther: return "a date/time";
  }
  return "a value";
}

const ConfigNode* ConfigNode::Find(std::string_view key) const {
  for (const auto& [name, node] : members) {
    if (name == key) return &node;
  }
  return nullptr;
}

void ConfigErrors::Add(SourcePos pos, std::string message) {
  errors_.emplace_back(pos, std::move(message));
}

std::vector<std::string> ConfigErrors::lines() const {
  auto sorted = errors_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return std::pair(a.first.line, a.first.col) < std::pair(b.first.line, b.first.col);
  });
  std::vector<std::string> out;
  for (const auto& [pos, message] : sorted) {
    out.push_back(file_ + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.col) + ": " +
                  message);
  }
  return out;
}

ConfigNode ParseConfigText(std::string_view text, ConfigErrors& errors) {
  toml::parse_result parsed = toml::parse(text, errors.file());
  if (!parsed) {
    const toml::parse_error& err = parsed.error();
    errors.Add(PosOf(err.source()), std::string(err.description()));
    return ConfigNode{};
  }
  ConfigNode root = Convert(parsed.table());
  root.pos = {1, 1};
  return root;
}

Result<std::string> ReadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    std::string msg = path + ": " + std::strerror(err);
    if (err == ENOENT) return Status::NotFound(msg);
    return Status::IoError(msg);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace ef

namespace ef {
std::string ConfigLibraryVersion() {
  return "toml++ " + std::to_string(TOML_LIB_MAJOR) + "." + std::to_string(TOML_LIB_MINOR) +
         "." + std::to_string(TOML_LIB_PATCH);
}
}  // namespace ef
