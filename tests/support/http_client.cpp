#include "tests/support/http_client.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>

#include "tests/support/net.h"

namespace ef::testkit {
namespace {

int MillisLeft(Deadline deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyNow()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, 100));
}

bool EqualNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string HttpReply::Header(std::string_view name) const {
  std::istringstream lines(headers);
  for (std::string line; std::getline(lines, line);) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos || !EqualNoCase(line.substr(0, colon), name)) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
    return value;
  }
  return {};
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::Connect(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return false;
  sockaddr_in addr = LoopbackAddress(port);
  return ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

bool RawConnection::Send(std::string_view bytes, Deadline deadline) {
  while (!bytes.empty()) {
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, MillisLeft(deadline)) < 0) return false;
    if ((p.revents & (POLLERR | POLLHUP)) != 0) return false;
    if ((p.revents & POLLOUT) != 0) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    } else if (SteadyNow() >= deadline) {
      return false;
    }
  }
  return true;
}

std::optional<std::string> RawConnection::ReadToClose(Deadline deadline) {
  std::string out;
  char buffer[65536];
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, MillisLeft(deadline)) < 0) return std::nullopt;
    if (p.revents != 0) {
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return out;  // closed (or reset)
      out.append(buffer, static_cast<size_t>(n));
    } else if (SteadyNow() >= deadline) {
      return std::nullopt;
    }
  }
}

bool RawConnection::WaitClosed(Deadline deadline) { return ReadToClose(deadline).has_value(); }

std::optional<HttpReply> ParseHttpReply(const std::string& raw) {
  const size_t end = raw.find("\r\n\r\n");
  if (!raw.starts_with("HTTP/1.") || end == std::string::npos) return std::nullopt;
  HttpReply reply;
  reply.headers = raw.substr(0, end + 2);
  reply.body = raw.substr(end + 4);
  const size_t space = raw.find(' ');
  reply.status = std::atoi(raw.c_str() + space + 1);
  return reply;
}

std::optional<HttpReply> HttpGet(uint16_t port, std::string_view path, Deadline deadline) {
  RawConnection connection;
  if (!connection.Connect(port)) return std::nullopt;
  const std::string request = "GET " + std::string(path) +
                              " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (!connection.Send(request, deadline)) return std::nullopt;
  std::optional<std::string> raw = connection.ReadToClose(deadline);
  if (!raw) return std::nullopt;
  return ParseHttpReply(*raw);
}

std::optional<double> SampleValue(const std::string& exposition, std::string_view series) {
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() <= series.size() || line.compare(0, series.size(), series) != 0 ||
        line[series.size()] != ' ') {
      continue;
    }
    return std::strtod(line.c_str() + series.size() + 1, nullptr);
  }
  return std::nullopt;
}

}  // namespace ef::testkit
