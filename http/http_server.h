// HttpServer: a small read-only HTTP server for the daemon's monitoring endpoints (/metrics,
// /healthz, the status page), on top of libevent's evhttp. It serves GET (and HEAD) on exact
// paths with handlers that return the whole response; 404 elsewhere, 405 for other methods.
//
// It runs on one event-loop thread of its own and is built so that no client, slow or
// malicious, can reach the rest of the process:
// - every read and write has a timeout (`io_timeout`), and a connection serves one request
//   and is closed (`Connection: close`, no keep-alive);
// - a connection still open about `request_deadline` after it was accepted is cut (a
//   slow-loris client that trickles bytes never times out a single read); the loop looks
//   every 0.5 s. Stop() closes them all;
// - at most `max_connections` connections are open at once; at the limit the server stops
//   accepting until the loop finds fewer open (it looks every 0.5 s), so further clients wait
//   in the kernel's backlog instead of using the process's file descriptors;
// - request bodies above `max_request_bytes` are refused (413), request lines and headers
//   above 16 KiB too.
// No exception leaves this library: a failing handler answers 500.
//
// Ownership: the server owns its event-loop thread, its listening socket and its
// connections; Stop() (or the destructor) stops and joins the thread and closes them all.
// Thread-safety: Get/Start/Stop from one owner thread; handlers run on the event-loop thread,
// one at a time, and hold up every other client while they run, so they must be quick (they
// render a string) and safe to run concurrently with the rest of the process. port() from
// any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/log.h"
#include "core/status.h"

namespace ef::http {

struct HttpServerOptions {
  std::string host = "127.0.0.1";                // Default: loopback only
  uint16_t port = 9102;                          // Default: 9102; 0 = any free port
  size_t threads = 2;                            // Unused: handlers run on the one event-loop
                                                 // thread; kept for config compatibility
  size_t max_connections = 16;                   // Default: 16 open at once
  std::chrono::seconds io_timeout{5};            // Default: 5 s per read or write
  std::chrono::seconds request_deadline{10};     // Default: 10 s per connection, in all
  size_t max_request_bytes = 64 * 1024;          // Default: 64 KiB of request body
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Builds the response to one GET (or HEAD) request. Runs on the event-loop thread.
using HttpHandler = std::function<HttpResponse()>;

class HttpServer {
 public:
  HttpServer(const Clock& clock, Logger& log, HttpServerOptions options);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Serves GET and HEAD on exactly `path`. REQUIRES: before Start().
  void Get(const std::string& path, HttpHandler handler);
  // Binds host:port and starts serving. Returns Status::IoError (and starts nothing) when the
  // address cannot be bound (in use, not local, invalid).
  Status Start();
  // Stops accepting, closes every open connection and joins the event-loop thread, promptly
  // whatever clients do. Idempotent.
  void Stop();
  // The bound port (the chosen one when options.port was 0); 0 before Start().
  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ef::http
