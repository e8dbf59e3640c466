#include "http/connection_reaper.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>
#include <vector>

namespace ef::http {
namespace {

uint16_t LocalPort(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  }
  return 0;
}

// The inode of `fd` when it is an accepted connection on `port`; 0 otherwise.
uint64_t ConnectionInode(int fd, uint16_t port) {
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return 0;
  sockaddr_storage local{};
  socklen_t length = sizeof(local);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) return 0;
  if (LocalPort(local) != port) return 0;
  int listening = 0;
  socklen_t flag_length = sizeof(listening);
  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &flag_length) != 0 || listening) {
    return 0;
  }
  sockaddr_storage peer{};
  length = sizeof(peer);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0) return 0;
  return static_cast<uint64_t>(st.st_ino);
}

struct Connection {
  int fd;
  uint64_t inode;
};

std::vector<Connection> Connections(uint16_t port) {
  std::vector<Connection> out;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return out;
  const int own = dirfd(dir);
  while (const dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == own) continue;
    if (const uint64_t inode = ConnectionInode(static_cast<int>(fd), port); inode != 0) {
      out.push_back({static_cast<int>(fd), inode});
    }
  }
  closedir(dir);
  return out;
}

// Cuts `c` unless its descriptor now names another socket.
bool Cut(const Connection& c, uint16_t port) {
  if (ConnectionInode(c.fd, port) != c.inode) return false;
  return shutdown(c.fd, SHUT_RDWR) == 0;
}

}  // namespace

SweepResult ConnectionReaper::Sweep(Clock::TimePoint now, Clock::Duration deadline) {
  std::map<Key, Clock::TimePoint> seen;
  SweepResult result;
  for (const Connection& c : Connections(port_)) {
    ++result.open;
    const Key key{c.fd, c.inode};
    const auto before = first_seen_.find(key);
    const Clock::TimePoint first = before == first_seen_.end() ? now : before->second;
    if (now - first > deadline && Cut(c, port_)) {
      ++result.cut;
    } else {
      seen.emplace(key, first);
    }
  }
  first_seen_ = std::move(seen);
  return result;
}

size_t CountConnections(uint16_t port) { return Connections(port).size(); }

}  // namespace ef::http
