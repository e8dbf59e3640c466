// ConnectionReaper: finds the open server-side connections of one listening port in this
// process and cuts those open too long, so that a client trickling bytes (slow loris) cannot
// hold a worker thread for ever: cpp-httplib only times out single reads.
//
// It looks at /proc/self/fd: a socket whose local port is the server's, that is not the
// listening socket and has a peer, is one of the server's connections (an outgoing
// connection never gets a port that a listening socket holds). Cutting is shutdown(RDWR),
// never close(): the worker that owns the descriptor sees its read or write fail and closes
// it itself. A descriptor is identified by number and inode, so one closed and reused for
// something else between two sweeps starts a new age.
//
// Thread-safety: not thread-safe; one thread (the server's reaper) calls Sweep and CutAll.
#pragma once

#include <cstdint>
#include <map>
#include <utility>

#include "core/clock.h"

namespace ef::http {

class ConnectionReaper {
 public:
  explicit ConnectionReaper(uint16_t port) : port_(port) {}

  // Cuts the connections first seen more than `deadline` before `now`; returns how many.
  size_t Sweep(Clock::TimePoint now, Clock::Duration deadline);
  // Cuts every connection of the port; returns how many.
  size_t CutAll();

 private:
  using Key = std::pair<int, uint64_t>;  // descriptor, inode
  const uint16_t port_;
  std::map<Key, Clock::TimePoint> first_seen_;
};

}  // namespace ef::http
