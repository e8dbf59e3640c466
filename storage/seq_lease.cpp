#include "storage/seq_lease.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace ef::storage {
namespace {
constexpr uint64_t kRetryEvery = 1000;

Status Errno(const std::string& what, const std::string& path) {
  return Status::IoError(what + " " + path + ": " + std::strerror(errno));
}

// Writes `text` to `path` and syncs it; closes the file in every case.
Status WriteSynced(const std::string& path, const std::string& text) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot create", path);
  const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  fsync(fd) == 0;
  Status s = ok ? Status::Ok() : Errno("cannot write", path);
  close(fd);
  return s;
}

void SyncFolder(const std::string& path) {
  const std::string folder = std::filesystem::path(path).parent_path().string();
  const int fd = open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)fsync(fd);
  close(fd);
}
}  // namespace

SeqLease::SeqLease(std::string path) : path_(std::move(path)) {}

uint64_t SeqLease::Load() {
  if (path_.empty()) return 0;
  std::ifstream in(path_);
  uint64_t mark = 0;
  if (!(in >> mark)) mark = 0;
  mark_ = mark;
  return mark_;
}

Status SeqLease::Cover(uint64_t seq) {
  if (path_.empty()) return Status::Ok();
  const bool covered = seq <= mark_;
  if (covered && (seq + kStep / 2 <= mark_ || seq < retry_at_)) return Status::Ok();
  Status s = Write(seq + kStep);
  if (s.ok() || !covered) return s;
  retry_at_ = seq + kRetryEvery;  // still covered: try again a little later
  return Status::Ok();
}

Status SeqLease::Write(uint64_t mark) {
  const std::string temp = path_ + ".tmp";
  if (Status s = WriteSynced(temp, std::to_string(mark) + "\n"); !s.ok()) return s;
  if (std::rename(temp.c_str(), path_.c_str()) != 0) return Errno("cannot rename", temp);
  SyncFolder(path_);
  mark_ = mark;
  retry_at_ = 0;
  return Status::Ok();
}

}  // namespace ef::storage
