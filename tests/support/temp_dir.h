// A private temporary directory for one test, removed with everything in it on destruction.
//
// Created with mkdtemp under $TMPDIR (default /tmp) with a short name, so that unix socket
// paths inside it stay well below the 108-byte sun_path limit.
//
// Thread-safety: const methods may be called from any thread; the destructor must not race
// with other users of the directory.
#pragma once

#include <filesystem>
#include <string>

namespace ef::testkit {

class TempDir {
 public:
  // Creates the directory; `prefix` becomes the start of its name. Throws std::system_error
  // when mkdtemp fails.
  explicit TempDir(const std::string& prefix = "ef-test");
  ~TempDir();  // Removes the tree; errors are ignored (best effort).

  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Returns path()/name without creating anything.
  std::filesystem::path File(const std::string& name) const { return path_ / name; }

  // Creates path()/name (and parents) as a directory and returns it.
  std::filesystem::path Subdir(const std::string& name) const;

 private:
  std::filesystem::path path_;
};

// Writes `contents` to `file`, replacing it. Throws std::system_error on failure.
void WriteFile(const std::filesystem::path& file, const std::string& contents);

// Returns the contents of `file`, or an empty string if it cannot be read.
std::string ReadFile(const std::filesystem::path& file);

}  // namespace ef::testkit
