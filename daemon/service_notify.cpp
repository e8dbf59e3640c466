#include "daemon/service_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ef::daemon {
namespace {

// The number in environment variable `name`, if it is one.
bool EnvNumber(const char* name, unsigned long long* out) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return false;
  const char* end = text + std::strlen(text);
  const auto [ptr, ec] = std::from_chars(text, end, *out);
  return ec == std::errc() && ptr == end;
}

}  // namespace

bool NotifyServiceManager(std::string_view state) {
  const char* name = std::getenv("NOTIFY_SOCKET");
  if (name == nullptr) return false;
  const size_t length = std::strlen(name);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  // A path, or an abstract name ('@' stands for the leading NUL byte, not a terminator).
  if ((name[0] != '/' && name[0] != '@') || length < 2 || length > sizeof(address.sun_path)) {
    return false;
  }
  std::memcpy(address.sun_path, name, length);
  if (name[0] == '@') address.sun_path[0] = '\0';
  const auto address_length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length);

  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const ssize_t sent = sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                              reinterpret_cast<const sockaddr*>(&address), address_length);
  close(fd);
  return sent == static_cast<ssize_t>(state.size());
}

std::chrono::microseconds WatchdogIntervalFromEnvironment() {
  unsigned long long usec = 0;
  if (!EnvNumber("WATCHDOG_USEC", &usec) || usec == 0) return std::chrono::microseconds::zero();
  unsigned long long pid = 0;
  if (std::getenv("WATCHDOG_PID") != nullptr &&
      (!EnvNumber("WATCHDOG_PID", &pid) || pid != static_cast<unsigned long long>(getpid()))) {
    return std::chrono::microseconds::zero();
  }
  return std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(usec));
}

}  // namespace ef::daemon
