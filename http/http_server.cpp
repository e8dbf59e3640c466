#include "http/http_server.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <netdb.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <string_view>
#include <system_error>
#include <thread>

#include "http/connection_reaper.h"

namespace ef::http {
namespace {
constexpr char kComponent[] = "http";
constexpr char kPlainText[] = "text/plain; charset=utf-8";
// How often the loop counts its connections, cuts those past their deadline and resumes
// accepting when it paused (at the limit, or on an accept error such as EMFILE).
constexpr timeval kSweepEvery{0, 500'000};
// The request line and headers together; libevent's default is unlimited.
constexpr ev_ssize_t kMaxHeaderBytes = 16 * 1024;
// Every method libevent parses: those besides GET and HEAD reach us and are answered 405
// (with 501 for them, as libevent answers disallowed methods, a client could not tell a
// read-only path from a server that does not know the method).
constexpr ev_uint16_t kAllMethods = EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
                                    EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH;

template <class T, void (*Free)(T*)>
struct FreeWith {
  void operator()(T* p) const { Free(p); }
};
using BasePtr = std::unique_ptr<event_base, FreeWith<event_base, event_base_free>>;
using EvhttpPtr = std::unique_ptr<evhttp, FreeWith<evhttp, evhttp_free>>;
using EventPtr = std::unique_ptr<event, FreeWith<event, event_free>>;

timeval ToTimeval(std::chrono::seconds s) { return {static_cast<time_t>(s.count()), 0}; }

// Sends a response and closes the connection after it: one request per connection. For HEAD,
// the headers of GET without the body (libevent 2.1 would send the body). Allocates nothing
// of ours, so it cannot throw.
void Send(evhttp_request* req, int status, const char* content_type, std::string_view body) {
  evkeyvalq* headers = evhttp_request_get_output_headers(req);
  evhttp_add_header(headers, "Content-Type", content_type);
  evhttp_add_header(headers, "Connection", "close");
  if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
    char length[24];
    std::snprintf(length, sizeof(length), "%zu", body.size());
    evhttp_add_header(headers, "Content-Length", length);
  } else {
    evbuffer_add(evhttp_request_get_output_buffer(req), body.data(), body.size());
  }
  evhttp_send_reply(req, status, nullptr, nullptr);  // nullptr: the standard reason phrase
}

uint16_t PortOf(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
}

}  // namespace

struct HttpServer::Impl {
  Impl(const Clock& c, Logger& l, HttpServerOptions o)
      : clock(c),
        log(l),
        options(std::move(o)),
        max_connections(std::max<size_t>(options.max_connections, 1)) {}

  Status Bind();
  bool Listen(const addrinfo& address);
  Status Configure();
  void SetUpHttp();
  bool SetUpEvents();
  void Run();
  void OnAccept();
  void OnSweep();
  void Release();

  static void Serve(evhttp_request* req, void* handler);
  static void NotFound(evhttp_request* req, void*);

  const Clock& clock;
  Logger& log;
  const HttpServerOptions options;
  const size_t max_connections;
  std::map<std::string, HttpHandler> handlers;  // node-based: the callbacks keep pointers
  std::atomic<uint16_t> port{0};
  bool started = false;  // owner thread

  // Owned by the loop thread while it runs; by the owner thread before Start() and after
  // Stop() joined it. Declared so that they are freed in the right order (events before
  // their base).
  BasePtr base;
  EvhttpPtr server;
  evconnlistener* listener = nullptr;  // freed by evhttp_free
  EventPtr sweep_timer, wake;
  int wake_fd = -1;
  std::unique_ptr<ConnectionReaper> reaper;
  size_t counted = 0;   // connections the last sweep found
  size_t accepted = 0;  // connections accepted since
  std::thread loop;
};

// Tries the addresses `host` resolves to until one binds.
Status HttpServer::Impl::Bind() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string where = options.host + ":" + std::to_string(options.port);
  const std::string service = std::to_string(options.port);
  if (const int rc = getaddrinfo(options.host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return Status::IoError("cannot listen on " + where + ": " + gai_strerror(rc));
  }
  int error = 0;
  for (const addrinfo* a = found; a != nullptr && listener == nullptr; a = a->ai_next) {
    if (!Listen(*a)) error = errno;
  }
  freeaddrinfo(found);
  if (listener == nullptr) {
    return Status::IoError("cannot listen on " + where + ": " + std::strerror(error));
  }
  return Status::Ok();
}

// SO_REUSEADDR only (LEV_OPT_REUSEABLE): with SO_REUSEPORT a second daemon would bind the same
// port silently and the kernel would share the clients between them.
bool HttpServer::Impl::Listen(const addrinfo& address) {
  constexpr unsigned kFlags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE;
  listener = evconnlistener_new_bind(base.get(), nullptr, nullptr, kFlags, -1, address.ai_addr,
                                     static_cast<int>(address.ai_addrlen));
  if (listener == nullptr) return false;
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  getsockname(evconnlistener_get_fd(listener), reinterpret_cast<sockaddr*>(&bound), &length);
  port = PortOf(bound);
  return true;
}

Status HttpServer::Impl::Configure() {
  const Status no_loop = Status::IoError("cannot set up the HTTP server's event loop");
  base.reset(event_base_new());
  if (base) server.reset(evhttp_new(base.get()));
  wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (!server || wake_fd < 0) return no_loop;
  if (Status s = Bind(); !s.ok()) return s;
  if (evhttp_bind_listener(server.get(), listener) == nullptr) {
    evconnlistener_free(listener);
    listener = nullptr;
    return no_loop;
  }
  SetUpHttp();
  if (!SetUpEvents()) return no_loop;
  reaper = std::make_unique<ConnectionReaper>(port.load());
  return Status::Ok();
}

void HttpServer::Impl::SetUpHttp() {
  // Without an error callback, libevent would retry a failing accept (EMFILE) in a busy loop.
  // Its argument is evhttp's, not ours: the sweep resumes accepting.
  evconnlistener_set_error_cb(listener,
                              [](evconnlistener* l, void*) { evconnlistener_disable(l); });
  const timeval io = ToTimeval(options.io_timeout);
  evhttp_set_timeout_tv(server.get(), &io);
  evhttp_set_max_headers_size(server.get(), kMaxHeaderBytes);
  evhttp_set_max_body_size(server.get(), static_cast<ev_ssize_t>(options.max_request_bytes));
  evhttp_set_allowed_methods(server.get(), kAllMethods);
  evhttp_set_gencb(server.get(), &Impl::NotFound, nullptr);
  for (auto& [path, handler] : handlers) {
    evhttp_set_cb(server.get(), path.c_str(), &Serve, &handler);
  }
  // Called for each accepted connection, before libevent reads from it: where we count.
  evhttp_set_bevcb(
      server.get(),
      [](event_base*, void* self) -> bufferevent* {
        static_cast<Impl*>(self)->OnAccept();
        return nullptr;  // libevent makes its own
      },
      this);
}

// The sweep timer, and the wake-up through which Stop() ends the loop from another thread
// (libevent is used without its locking, so only this eventfd crosses threads).
bool HttpServer::Impl::SetUpEvents() {
  sweep_timer.reset(event_new(
      base.get(), -1, EV_PERSIST,
      [](evutil_socket_t, short, void* self) { static_cast<Impl*>(self)->OnSweep(); }, this));
  wake.reset(event_new(
      base.get(), wake_fd, EV_READ,
      [](evutil_socket_t, short, void* b) { event_base_loopbreak(static_cast<event_base*>(b)); },
      base.get()));
  return sweep_timer && wake && event_add(wake.get(), nullptr) == 0 &&
         event_add(sweep_timer.get(), &kSweepEvery) == 0;
}

// Writing to a connection that was cut (shutdown) or reset raises SIGPIPE (libevent writes
// with writev, which has no MSG_NOSIGNAL): blocked on this thread, it stays pending here and
// harms no one, and the process's disposition is left alone.
void HttpServer::Impl::Run() {
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  if (event_base_dispatch(base.get()) < 0) log.Error(kComponent, "the HTTP event loop failed");
}

// At the limit, stop accepting: further clients wait in the kernel's backlog. `counted` plus
// `accepted` is at least the number of open connections (those closed since the last sweep
// are not subtracted), so the limit holds.
void HttpServer::Impl::OnAccept() {
  ++accepted;
  if (counted + accepted >= max_connections) evconnlistener_disable(listener);
}

// A sweep that fails (bad_alloc) changes nothing: no exception leaves a libevent callback.
void HttpServer::Impl::OnSweep() {
  try {
    const auto deadline = std::chrono::duration_cast<Clock::Duration>(options.request_deadline);
    const SweepResult sweep = reaper->Sweep(clock.Now(), deadline);
    counted = sweep.open;
    accepted = 0;
    if (sweep.cut > 0) {
      log.Warning(kComponent, "cut " + std::to_string(sweep.cut) +
                                  " connection(s) open longer than " +
                                  std::to_string(options.request_deadline.count()) + " s");
    }
  } catch (...) {
  }
  if (counted + accepted < max_connections) evconnlistener_enable(listener);  // no-op if on
}

// No exception leaves a libevent callback: a failing handler answers 500.
void HttpServer::Impl::Serve(evhttp_request* req, void* handler) {
  const evhttp_cmd_type method = evhttp_request_get_command(req);
  if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD) {
    evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
    Send(req, 405, kPlainText, "method not allowed\n");
    return;
  }
  try {
    const HttpResponse response = (*static_cast<const HttpHandler*>(handler))();
    Send(req, response.status, response.content_type.c_str(), response.body);
  } catch (...) {
    Send(req, 500, kPlainText, "internal error\n");
  }
}

void HttpServer::Impl::NotFound(evhttp_request* req, void*) {
  Send(req, 404, kPlainText, "not found\n");
}

// Frees what Configure() made; every connection still open is closed by evhttp_free.
void HttpServer::Impl::Release() {
  wake.reset();
  sweep_timer.reset();
  server.reset();
  listener = nullptr;
  base.reset();
  if (wake_fd >= 0) close(wake_fd);
  wake_fd = -1;
  reaper.reset();
}

HttpServer::HttpServer(const Clock& clock, Logger& log, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(clock, log, std::move(options))) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Get(const std::string& path, HttpHandler handler) {
  impl_->handlers[path] = std::move(handler);
}

Status HttpServer::Start() {
  Impl& m = *impl_;
  if (m.started) return Status::Ok();
  if (Status s = m.Configure(); !s.ok()) {
    m.Release();
    m.port = 0;
    return s;
  }
  try {
    m.loop = std::thread([&m] { m.Run(); });
  } catch (const std::system_error& e) {
    m.Release();
    m.port = 0;
    return Status::IoError(std::string("cannot start the HTTP server's thread: ") + e.what());
  }
  m.started = true;
  return Status::Ok();
}

void HttpServer::Stop() {
  Impl& m = *impl_;
  if (!m.started) return;
  m.started = false;
  const uint64_t one = 1;
  while (write(m.wake_fd, &one, sizeof(one)) < 0 && errno == EINTR) {
  }
  m.loop.join();
  m.Release();
}

uint16_t HttpServer::port() const { return impl_->port.load(); }

}  // namespace ef::http
