// The receiving end of the sd_notify protocol, standing in for systemd in tests.
//
// Binds an AF_UNIX datagram socket at a path; a child started with NOTIFY_SOCKET=path() sends
// its state changes ("READY=1", "STOPPING=1", "STATUS=...") there as datagrams of
// newline-separated KEY=VALUE lines. WaitFor consumes datagrams in arrival order, so after a
// daemon restart WaitFor("READY=1") waits for the new READY, not the one already seen.
//
// Thread-safety: not thread-safe; one thread owns a NotifySocket.
#pragma once

#include <deque>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/wait.h"

namespace ef::testkit {

class NotifySocket {
 public:
  // Binds the socket at `path` (which must not exist). Throws std::system_error on failure.
  explicit NotifySocket(std::filesystem::path path);
  ~NotifySocket();  // Closes and unlinks the socket.

  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Blocks in poll() until a datagram with a line equal to `line` (e.g. "READY=1") arrives or
  // `deadline` passes. Returns true if found; that datagram and every one before it are
  // consumed (and remain visible in History()).
  bool WaitFor(const std::string& line, Deadline deadline);

  // Every datagram received so far, consumed or not, oldest first.
  const std::vector<std::string>& History() const { return history_; }

 private:
  bool ReceiveOne(Deadline deadline);  // false on deadline

  std::filesystem::path path_;
  int fd_ = -1;
  std::deque<std::string> unread_;
  std::vector<std::string> history_;
};

}  // namespace ef::testkit
