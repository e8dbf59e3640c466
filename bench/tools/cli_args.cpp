#include "bench/tools/cli_args.h"

#include <stdexcept>

namespace ef::bench {

CliArgs::CliArgs(int argc, char** argv, std::set<std::string> flags) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument: " + arg);
    std::string name = arg.substr(2);
    if (flags.count(name)) {
      present_flags_.insert(name);
    } else if (i + 1 < argc) {
      values_[name] = argv[++i];
    } else {
      throw std::invalid_argument("missing value for " + arg);
    }
  }
}

std::string CliArgs::String(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

int64_t CliArgs::Int(const std::string& name, int64_t fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  size_t used = 0;
  int64_t value = std::stoll(it->second, &used);
  if (used != it->second.size()) throw std::invalid_argument("--" + name + ": not an integer");
  return value;
}

double CliArgs::Double(const std::string& name, double fallback) const {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  size_t used = 0;
  double value = std::stod(it->second, &used);
  if (used != it->second.size()) throw std::invalid_argument("--" + name + ": not a number");
  return value;
}

}  // namespace ef::bench
