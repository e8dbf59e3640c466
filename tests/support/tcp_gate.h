// A TCP gate in front of a loopback server, for tests that need "the cloud is unreachable"
// without stopping the cloud broker itself (whose subscribers then stay connected and see
// every message as it arrives).
//
// The gate has its own port. While closed, nothing listens there: a client gets "connection
// refused", exactly as when the server is down. Open() starts listening and relays each
// accepted connection, byte for byte in both directions, to the target port; Close() stops
// listening and cuts every relayed connection (both ends see the connection drop).
//
// One relay thread, owned by the gate, polls the listening socket and every connection. It
// writes with blocking send() on loopback, which is fine for test traffic.
//
// Thread-safety: Open/Close/~TcpGate from one owning thread; port() and uri() from any.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace ef::testkit {

class TcpGate {
 public:
  // Picks a free port for the gate; starts closed.
  explicit TcpGate(uint16_t target_port);
  ~TcpGate();  // Close()

  TcpGate(const TcpGate&) = delete;
  TcpGate& operator=(const TcpGate&) = delete;

  // Starts accepting and relaying. Returns false if the port cannot be bound (then it stays
  // closed). Does nothing if already open.
  bool Open();
  // Stops accepting and drops every relayed connection. Does nothing if already closed.
  void Close();

  uint16_t port() const { return port_; }
  std::string uri() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  // How many connections were accepted since construction.
  uint64_t accepted() const { return accepted_.load(); }

 private:
  void Relay(int listen_fd, int wake_fd);

  const uint16_t target_port_;
  const uint16_t port_;
  int wake_fd_ = -1;  // eventfd: tells the relay thread to stop
  std::atomic<uint64_t> accepted_{0};
  std::thread relay_;
};

}  // namespace ef::testkit
