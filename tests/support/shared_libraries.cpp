#include "tests/support/shared_libraries.h"

#include <fstream>
#include <sstream>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace ef::testkit {
namespace {

// "libssl.so" from "/lib/x86_64-linux-gnu/libssl.so.3", or "" when `path` names no library.
std::string LibraryName(const std::string& path) {
  const std::string file = path.substr(path.rfind('/') + 1);
  const size_t so = file.find(".so");
  return so == std::string::npos ? "" : file.substr(0, so + 3);
}

// Every whitespace-separated word of `text` that names a library.
std::set<std::string> LibrariesIn(std::istream& text) {
  std::set<std::string> names;
  for (std::string word; text >> word;) {
    if (std::string name = LibraryName(word); !name.empty()) names.insert(name);
  }
  return names;
}

}  // namespace

std::set<std::string> MappedLibraries(pid_t pid) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  return LibrariesIn(maps);
}

std::optional<std::set<std::string>> LinkedLibraries(const std::string& binary,
                                                     Deadline deadline) {
  TempDir dir("ef-ldd");
  Process ldd(ProcessOptions{.argv = {"ldd", binary}, .env = {}, .log_file = dir.File("ldd.out")});
  if (ldd.Wait(deadline) != 0) return std::nullopt;
  std::istringstream out(ldd.Log());
  return LibrariesIn(out);
}

}  // namespace ef::testkit
