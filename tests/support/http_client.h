// A minimal HTTP/1.1 client for tests of edgeferry's monitoring endpoints, on raw loopback
// sockets so that a test can also misbehave on purpose: send half a request and hold the
// connection (slow loris), or send far more than a server should read.
//
// Thread-safety: functions are reentrant; one thread owns a RawConnection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tests/support/wait.h"

namespace ef::testkit {

struct HttpReply {
  int status = 0;
  std::string headers;  // the status line and header lines, as received
  std::string body;
  // The value of header `name` (case-insensitive), empty when absent.
  std::string Header(std::string_view name) const;
};

// A TCP connection to 127.0.0.1:port.
class RawConnection {
 public:
  RawConnection() = default;
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool Connect(uint16_t port);
  // Sends all of `bytes` unless the deadline passes or the peer closed; true if all was sent.
  bool Send(std::string_view bytes, Deadline deadline);
  // Reads until the peer closes or the deadline; returns what arrived (nullopt at the deadline).
  std::optional<std::string> ReadToClose(Deadline deadline);
  // True once the peer closed or reset the connection (reads pending data away).
  bool WaitClosed(Deadline deadline);

 private:
  int fd_ = -1;
};

// Parses a whole response (status line, headers, body); nullopt if it is not one.
std::optional<HttpReply> ParseHttpReply(const std::string& raw);

// GET `path` with "Connection: close"; nullopt when no complete response arrived in time.
std::optional<HttpReply> HttpGet(uint16_t port, std::string_view path, Deadline deadline);

// The value of the sample line `series` (e.g. `edgeferry_queue_events{stream="telemetry"}`,
// written exactly as rendered) in a Prometheus text exposition; nullopt when absent.
std::optional<double> SampleValue(const std::string& exposition, std::string_view series);

}  // namespace ef::testkit
