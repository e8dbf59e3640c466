#include "tests/support/tcp_gate.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "tests/support/net.h"

namespace ef::testkit {

namespace {

int Listen(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr = LoopbackAddress(port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int ConnectTo(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr = LoopbackAddress(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool SendAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Moves what `from` has to `to`; false when either side is finished.
bool Pump(int from, int to) {
  char buf[64 * 1024];
  ssize_t n;
  while ((n = ::recv(from, buf, sizeof buf, 0)) < 0 && errno == EINTR) {
  }
  return n > 0 && SendAll(to, buf, static_cast<size_t>(n));
}

}  // namespace

TcpGate::TcpGate(uint16_t target_port) : target_port_(target_port), port_(FreeLoopbackPort()) {}

TcpGate::~TcpGate() { Close(); }

bool TcpGate::Open() {
  if (relay_.joinable()) return true;
  int listen_fd = Listen(port_);
  if (listen_fd < 0) return false;
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
  relay_ = std::thread([this, listen_fd, wake = wake_fd_] { Relay(listen_fd, wake); });
  return true;
}

void TcpGate::Close() {
  if (!relay_.joinable()) return;
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  relay_.join();
  ::close(wake_fd_);
  wake_fd_ = -1;
}

void TcpGate::Relay(int listen_fd, int wake_fd) {
  // pairs[i] = {client side, server side}; pfds = wake, listen, then two per pair.
  std::vector<std::pair<int, int>> pairs;
  for (;;) {
    std::vector<pollfd> pfds = {{wake_fd, POLLIN, 0}, {listen_fd, POLLIN, 0}};
    for (const auto& [client, server] : pairs) {
      pfds.push_back({client, POLLIN, 0});
      pfds.push_back({server, POLLIN, 0});
    }
    if (::poll(pfds.data(), pfds.size(), -1) < 0 && errno != EINTR) break;
    if (pfds[0].revents != 0) break;
    std::vector<std::pair<int, int>> kept;
    for (size_t i = 0; i < pairs.size(); ++i) {
      const auto [client, server] = pairs[i];
      bool alive = true;
      if (pfds[2 + 2 * i].revents != 0) alive = Pump(client, server);
      if (alive && pfds[3 + 2 * i].revents != 0) alive = Pump(server, client);
      if (alive) {
        kept.push_back(pairs[i]);
      } else {
        ::close(client);
        ::close(server);
      }
    }
    pairs.swap(kept);
    if (pfds[1].revents != 0) {
      int client = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (client >= 0) {
        ++accepted_;
        int server = ConnectTo(target_port_);
        if (server < 0) {
          ::close(client);  // the target is down: the client sees the connection drop
        } else {
          int one = 1;
          ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          pairs.emplace_back(client, server);
        }
      }
    }
  }
  ::close(listen_fd);
  for (const auto& [client, server] : pairs) {
    ::close(client);
    ::close(server);
  }
}

}  // namespace ef::testkit
