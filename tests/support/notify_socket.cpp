#include "tests/support/notify_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <system_error>

namespace ef::testkit {

namespace {

bool HasLine(const std::string& datagram, const std::string& line) {
  std::istringstream lines(datagram);
  std::string current;
  while (std::getline(lines, current)) {
    if (current == line) return true;
  }
  return false;
}

}  // namespace

NotifySocket::NotifySocket(std::filesystem::path path) : path_(std::move(path)) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string p = path_.string();
  if (p.size() >= sizeof addr.sun_path) {
    throw std::system_error(ENAMETOOLONG, std::generic_category(), "notify socket " + p);
  }
  std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket AF_UNIX");
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    ::close(fd_);
    throw std::system_error(err, std::generic_category(), "bind " + p);
  }
}

NotifySocket::~NotifySocket() {
  ::close(fd_);
  ::unlink(path_.c_str());
}

bool NotifySocket::ReceiveOne(Deadline deadline) {
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyNow());
    pollfd pfd{fd_, POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(std::clamp<int64_t>(left.count(), 0, 60'000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      if (left.count() <= 0 || ready < 0) return false;
      continue;  // poll slice ended before the deadline
    }
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return false;
    }
    std::string datagram(buf, static_cast<size_t>(n));
    history_.push_back(datagram);
    unread_.push_back(std::move(datagram));
    return true;
  }
}

bool NotifySocket::WaitFor(const std::string& line, Deadline deadline) {
  while (true) {
    while (!unread_.empty()) {
      bool match = HasLine(unread_.front(), line);
      unread_.pop_front();
      if (match) return true;
    }
    if (!ReceiveOne(deadline)) return false;
  }
}

}  // namespace ef::testkit
