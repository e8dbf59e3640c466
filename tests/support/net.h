// Loopback port helpers for tests that start their own servers on 127.0.0.1.
//
// FreeLoopbackPort asks the kernel for an unused port (bind to 127.0.0.1:0), then closes the
// socket, so another process may in principle take the port before the caller binds it; tests
// start their brokers right away and fail loudly if the bind fails.
//
// Thread-safety: all functions are reentrant and touch no shared state.
#pragma once

#include <netinet/in.h>

#include <cstdint>

namespace ef::testkit {

// 127.0.0.1:`port`, for bind() and connect().
sockaddr_in LoopbackAddress(uint16_t port);

// Returns a TCP port on 127.0.0.1 that was free when asked. Throws std::system_error if the
// kernel refuses to hand one out.
uint16_t FreeLoopbackPort();

// Returns true when a TCP connect() to 127.0.0.1:`port` succeeds right now. Never blocks for
// long: a loopback connect either succeeds or is refused at once.
bool PortAcceptsConnections(uint16_t port);

}  // namespace ef::testkit
