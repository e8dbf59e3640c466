// Minimal "--name value" / "--flag" command-line parsing for the bench tools.
//
// Thread-safety: a CliArgs is an immutable value after construction.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace ef::bench {

class CliArgs {
 public:
  // `flags` names the options that take no value. Throws std::invalid_argument on anything
  // that is not "--name value" or a known flag.
  CliArgs(int argc, char** argv, std::set<std::string> flags);

  bool Has(const std::string& name) const {
    return present_flags_.count(name) > 0 || values_.count(name) > 0;
  }
  std::string String(const std::string& name, const std::string& fallback) const;
  // Throws std::invalid_argument if the value is not a number.
  int64_t Int(const std::string& name, int64_t fallback) const;
  double Double(const std::string& name, double fallback) const;

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> present_flags_;
};

}  // namespace ef::bench
