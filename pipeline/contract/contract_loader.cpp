#include "pipeline/contract/contract_loader.h"

#include <algorithm>
#include <array>
#include <filesystem>

#include "core/config_bind.h"
#include "core/topic_template.h"

namespace ef::pipeline {
namespace {

constexpr std::array<Choice<FieldType>, 5> kTypes = {{
    {"bool", FieldType::kBool},
    {"int", FieldType::kInt},
    {"float", FieldType::kFloat},
    {"string", FieldType::kString},
    {"timestamp", FieldType::kTimestamp},
}};

constexpr std::array<Choice<UnknownFields>, 3> kUnknown = {{
    {"keep", UnknownFields::kKeep},
    {"drop", UnknownFields::kDrop},
    {"reject", UnknownFields::kReject},
}};

// Bound through a plain struct: min/max/default are optional and need their presence.
struct FieldKeys {
  std::string name, renamed_from, unit;
  FieldType type = FieldType::kFloat;
  bool required = false, deprecated = false;
};

const std::array<ConfigField<FieldKeys>, 6> kFieldKeys = {{
    {"name", &FieldKeys::name, true, CheckNonEmpty},
    {"type", OneOf<&FieldKeys::type, kTypes>(), true, nullptr},
    {"required", &FieldKeys::required, false, nullptr},
    {"unit", &FieldKeys::unit, false, nullptr},
    {"renamed_from", &FieldKeys::renamed_from, false, CheckNonEmpty},
    {"deprecated", &FieldKeys::deprecated, false, nullptr},
}};

struct VersionKeys {
  int64_t version = 0;
  bool breaking = false;
};

const std::array<ConfigField<VersionKeys>, 2> kVersionKeys = {{
    {"version", &VersionKeys::version, true, CheckPositive},
    {"breaking", &VersionKeys::breaking, false, nullptr},
}};

std::string CheckTemplate(const ConfigNode& node) {
  auto parsed = TopicTemplate::Parse(std::get<std::string>(node.scalar));
  return parsed.ok() ? std::string() : parsed.status().message();
}

const std::array<ConfigField<Contract>, 7> kContractKeys = {{
    {"name", &Contract::name, true, CheckNonEmpty},
    {"topic_template", &Contract::topic_template, false, CheckTemplate},
    {"stream", &Contract::stream, false, CheckNonEmpty},
    {"version_field", &Contract::version_field, false, CheckNonEmpty},
    {"unknown_fields", OneOf<&Contract::unknown, kUnknown>(), false, nullptr},
    {"dedup_key", &Contract::dedup_key, false, CheckNonEmpty},
    {"dedup_window", &Contract::dedup_window, false, CheckPositive},
}};

// Binds `fields` and reports keys outside `fields` and `extra`.
template <class Cfg, size_t N>
void Bind(const ConfigNode& table, std::string_view section,
          const std::array<ConfigField<Cfg>, N>& fields, std::vector<std::string_view> extra,
          Cfg& out, ConfigErrors& errors) {
  for (const auto& f : fields) extra.push_back(f.key);
  config_internal::ReportUnknownKeys(table, section, extra, errors);
  config_internal::BindFields<Cfg>(table, section, fields, out, errors);
}

std::optional<Value> ScalarValue(const ConfigNode& node) {
  if (const auto* b = std::get_if<bool>(&node.scalar)) return Value(*b);
  if (const auto* i = std::get_if<int64_t>(&node.scalar)) return Value(*i);
  if (const auto* d = std::get_if<double>(&node.scalar)) return Value(*d);
  if (const auto* s = std::get_if<std::string>(&node.scalar)) return Value(*s);
  return std::nullopt;
}

std::optional<double> Number(const ConfigNode* node, std::string_view key, ConfigErrors& errors) {
  if (node == nullptr) return std::nullopt;
  double v = 0;
  if (!config_internal::Assign(*node, &v).empty()) {
    errors.Add(node->pos, "'" + std::string(key) + "' must be a number");
    return std::nullopt;
  }
  return v;
}

bool DefaultFits(const Value& v, FieldType type) {
  switch (type) {
    case FieldType::kBool: return std::holds_alternative<bool>(v);
    case FieldType::kInt: return std::holds_alternative<int64_t>(v);
    case FieldType::kFloat:
      return std::holds_alternative<double>(v) || std::holds_alternative<int64_t>(v);
    case FieldType::kString: return std::holds_alternative<std::string>(v);
    case FieldType::kTimestamp: return std::holds_alternative<int64_t>(v);
  }
  return false;
}

ContractField ParseField(const ConfigNode& table, ConfigErrors& errors) {
  FieldKeys keys;
  Bind(table, "versions.fields", kFieldKeys, {"default", "min", "max"}, keys, errors);
  ContractField f{keys.name, keys.type, keys.required, std::nullopt, keys.unit, std::nullopt,
                  std::nullopt, keys.renamed_from, keys.deprecated, table.pos};
  f.min = Number(table.Find("min"), "min", errors);
  f.max = Number(table.Find("max"), "max", errors);
  if (const ConfigNode* d = table.Find("default")) {
    f.default_value = ScalarValue(*d);
    if (!f.default_value || !DefaultFits(*f.default_value, f.type)) {
      errors.Add(d->pos, "'default' must be a " + std::string(FieldTypeName(f.type)));
    } else if (f.type == FieldType::kFloat && std::holds_alternative<int64_t>(*f.default_value)) {
      f.default_value = static_cast<double>(std::get<int64_t>(*f.default_value));
    }
    if (f.required) errors.Add(d->pos, "a required field has no use for a 'default'");
  }
  return f;
}

ContractVersion ParseVersion(const ConfigNode& table, ConfigErrors& errors) {
  VersionKeys keys;
  Bind(table, "versions", kVersionKeys, {"fields"}, keys, errors);
  ContractVersion v{keys.version, keys.breaking, {}, table.pos};
  const ConfigNode* fields = table.Find("fields");
  if (fields == nullptr || fields->type != ConfigType::kArray) {
    errors.Add(fields ? fields->pos : table.pos, "a version needs [[versions.fields]] tables");
    return v;
  }
  for (const ConfigNode& item : fields->items) {
    if (item.type != ConfigType::kTable) continue;
    ContractField f = ParseField(item, errors);
    if (v.Find(f.name) != nullptr) errors.Add(item.pos, "field '" + f.name + "' listed twice");
    v.fields.push_back(std::move(f));
  }
  return v;
}

}  // namespace

Contract ParseContract(std::string_view text, const std::string& file, ConfigErrors& errors) {
  ConfigNode root = ParseConfigText(text, errors);
  Contract c;
  c.file = file;
  if (!errors.empty()) return c;
  Bind(root, "", kContractKeys, {"versions"}, c, errors);
  if (c.topic_template.empty() == c.stream.empty()) {
    errors.Add(root.pos, "a contract binds to one of 'topic_template' or 'stream'");
  }
  const ConfigNode* versions = root.Find("versions");
  if (versions == nullptr || versions->type != ConfigType::kArray || versions->items.empty()) {
    errors.Add(versions ? versions->pos : root.pos, "a contract needs [[versions]] tables");
    return c;
  }
  for (const ConfigNode& item : versions->items) {
    if (item.type != ConfigType::kTable) continue;
    ContractVersion v = ParseVersion(item, errors);
    if (!c.versions.empty() && v.version <= c.versions.back().version) {
      errors.Add(item.pos, "versions must be listed in ascending order without repeats");
    }
    c.versions.push_back(std::move(v));
  }
  if (errors.empty()) CheckEvolution(c, errors);
  return c;
}

std::vector<std::string> LoadContracts(const std::string& dir, std::vector<Contract>* out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return {};
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> lines;
  std::vector<Contract> contracts;
  for (const fs::path& path : files) {
    Result<std::string> text = ReadConfigFile(path.string());
    if (!text.ok()) {
      lines.push_back("cannot read contract " + text.status().message());
      continue;
    }
    ConfigErrors errors(path.string());
    Contract c = ParseContract(*text, path.string(), errors);
    for (const Contract& other : contracts) {
      if (errors.empty() && other.name == c.name) {
        errors.Add({1, 1}, "contract name '" + c.name + "' is used by " + other.file + " too");
      }
    }
    for (std::string& line : errors.lines()) lines.push_back(std::move(line));
    contracts.push_back(std::move(c));
  }
  if (lines.empty()) *out = std::move(contracts);
  return lines;
}

}  // namespace ef::pipeline
