// ConnectionReaper: finds the open server-side connections of one listening port in this
// process, counts them, and cuts those open too long, so that a client trickling bytes (slow
// loris) cannot hold a connection for ever: libevent's evhttp only times out single reads and
// writes.
//
// It looks at /proc/self/fd: a socket whose local port is the server's, that is not the
// listening socket and has a peer, is one of the server's connections (an outgoing
// connection never gets a port that a listening socket holds). Cutting is shutdown(RDWR),
// never close(): libevent, which owns the descriptor, sees its read or write fail and closes
// it itself. A descriptor is identified by number and inode, so one closed and reused for
// something else between two sweeps starts a new age.
//
// Thread-safety: not thread-safe; one thread (the server's event loop) calls Sweep.
// CountConnections is reentrant.
#pragma once

#include <cstdint>
#include <map>
#include <utility>

#include "core/clock.h"

namespace ef::http {

struct SweepResult {
  size_t cut = 0;   // connections cut by this sweep
  size_t open = 0;  // connections found, the cut ones included (their descriptors stay open
                    // until their owner notices)
};

class ConnectionReaper {
 public:
  explicit ConnectionReaper(uint16_t port) : port_(port) {}

  // Cuts the connections first seen more than `deadline` before `now`.
  SweepResult Sweep(Clock::TimePoint now, Clock::Duration deadline);

 private:
  using Key = std::pair<int, uint64_t>;  // descriptor, inode
  const uint16_t port_;
  std::map<Key, Clock::TimePoint> first_seen_;
};

// How many accepted connections of the listening `port` this process holds open now.
size_t CountConnections(uint16_t port);

}  // namespace ef::http
