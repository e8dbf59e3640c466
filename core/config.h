// Configuration primitives: a parsed TOML document as a plain tree that remembers where each
// key and value stood (line:col), and the error list that `edgeferry check` prints.
//
// The tree hides toml++ from the rest of the code base. Components bind their own sections
// with the field tables of core/config_bind.h. All types here are plain values, not
// thread-safe for concurrent mutation; they are built once, at start-up.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/status.h"

namespace ef {

struct SourcePos {
  int line = 0;
  int col = 0;
};

enum class ConfigType { kTable, kArray, kString, kInteger, kFloat, kBool, kOther };

// Human name of a type for error messages: "a string", "an integer", ...
std::string_view ConfigTypeName(ConfigType type);

struct ConfigNode {
  ConfigType type = ConfigType::kTable;
  SourcePos pos;       // where the value (or the table header) starts
  SourcePos key_pos;   // where its key starts, when it has one
  std::variant<std::monostate, std::string, int64_t, double, bool> scalar;
  std::vector<std::pair<std::string, ConfigNode>> members;  // kTable, sorted by key
  std::vector<ConfigNode> items;                             // kArray

  // The member `key` of a table, or nullptr.
  const ConfigNode* Find(std::string_view key) const;
};

// Collects "file:line:col: message" errors. Not thread-safe.
class ConfigErrors {
 public:
  explicit ConfigErrors(std::string file) : file_(std::move(file)) {}
  void Add(SourcePos pos, std::string message);
  bool empty() const { return errors_.empty(); }
  // "file:line:col: message" lines, in the order of the file (toml++ does not keep it).
  std::vector<std::string> lines() const;
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<std::pair<SourcePos, std::string>> errors_;
};

// Parses TOML text; `file` names it in errors. A syntax error is added to `errors` with its
// position and the returned tree is empty.
ConfigNode ParseConfigText(std::string_view text, ConfigErrors& errors);

// Reads and parses a file. A file that cannot be read yields Status::NotFound / IoError.
Result<std::string> ReadConfigFile(const std::string& path);

// "toml++ 3.3.0": the TOML library compiled in.
std::string ConfigLibraryVersion();
}  // namespace ef
