#include "http/http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "http/connection_reaper.h"

namespace ef::http {
namespace {
constexpr char kComponent[] = "http";
// How often the reaper looks for connections past their deadline.
constexpr std::chrono::milliseconds kSweepEvery{500};

// cpp-httplib's ThreadPool queues without bound: this one blocks the accepting thread once
// `max_jobs` connections are queued or being served, which leaves further clients in the
// kernel's listen backlog. Its threads are joined in shutdown(), which cpp-httplib calls when
// its accept loop ends (and the destructor, should it not).
class WorkerPool final : public httplib::TaskQueue {
 public:
  WorkerPool(size_t threads, size_t max_jobs) : max_jobs_(std::max<size_t>(max_jobs, 1)) {
    for (size_t i = 0; i < std::max<size_t>(threads, 1); ++i) {
      threads_.emplace_back([this] { Work(); });
    }
  }
  ~WorkerPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    std::unique_lock lock(mu_);
    space_.wait(lock, [&] { return jobs_.size() + running_ < max_jobs_; });
    jobs_.push_back(std::move(fn));
    work_.notify_one();
  }

  // Runs what is queued (each job closes its socket), then joins.
  void shutdown() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    work_.notify_all();
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  void Work() {
    std::unique_lock lock(mu_);
    for (;;) {
      work_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and nothing left
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      ++running_;
      lock.unlock();
      try {
        job();
      } catch (...) {  // cpp-httplib's own failures end the connection, nothing more
      }
      lock.lock();
      --running_;
      space_.notify_one();
    }
  }

  const size_t max_jobs_;
  std::mutex mu_;
  std::condition_variable work_, space_;
  std::deque<std::function<void()>> jobs_;
  size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

struct HttpServer::Impl {
  Impl(const Clock& c, Logger& l, HttpServerOptions o) : clock(c), log(l), options(std::move(o)) {}

  void Configure();
  void Listen();
  void Reap();
  void StopListening();

  const Clock& clock;
  Logger& log;
  const HttpServerOptions options;
  httplib::Server server;
  std::atomic<uint16_t> port{0};
  bool started = false;  // owner thread

  std::mutex mu;  // guards the two flags below
  std::condition_variable cv;
  bool listen_done = false;
  bool stopping = false;
  std::thread listener;
  std::thread reaper;
};

void HttpServer::Impl::Configure() {
  const auto io = static_cast<time_t>(options.io_timeout.count());
  server.set_read_timeout(io, 0);
  server.set_write_timeout(io, 0);
  server.set_keep_alive_max_count(1);  // one request per connection: see the reaper
  server.set_payload_max_length(options.max_request_bytes);
  // SO_REUSEADDR only: cpp-httplib's default adds SO_REUSEPORT, with which a second daemon
  // would bind the same port silently and the kernel would share the clients between them.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  const size_t threads = options.threads, max_jobs = options.max_connections;
  server.new_task_queue = [threads, max_jobs] { return new WorkerPool(threads, max_jobs); };
}

void HttpServer::Impl::Listen() {
  try {
    (void)server.listen_after_bind();
  } catch (const std::exception& e) {
    log.Error(kComponent, std::string("the HTTP server stopped: ") + e.what());
  } catch (...) {
    log.Error(kComponent, "the HTTP server stopped on an unknown error");
  }
  std::lock_guard lock(mu);
  listen_done = true;
  cv.notify_all();
}

void HttpServer::Impl::Reap() {
  ConnectionReaper reaper_of_port(port.load());
  const auto deadline = std::chrono::duration_cast<Clock::Duration>(options.request_deadline);
  std::unique_lock lock(mu);
  while (!stopping) {
    cv.wait_for(lock, kSweepEvery, [&] { return stopping; });
    if (stopping) break;
    lock.unlock();
    if (const size_t cut = reaper_of_port.Sweep(clock.Now(), deadline); cut > 0) {
      log.Warning(kComponent, "cut " + std::to_string(cut) + " connection(s) open longer than " +
                                  std::to_string(options.request_deadline.count()) + " s");
    }
    lock.lock();
  }
}

// cpp-httplib's stop() only acts once its accept loop runs (and must not be called twice), so
// wait for that first; then cut the open connections until its workers are done with them.
void HttpServer::Impl::StopListening() {
  std::unique_lock lock(mu);
  while (!listen_done && !server.is_running()) {
    cv.wait_for(lock, std::chrono::milliseconds(5), [&] { return listen_done; });
  }
  lock.unlock();
  if (server.is_running()) server.stop();
  ConnectionReaper cutter(port.load());
  lock.lock();
  while (!listen_done) {
    lock.unlock();
    cutter.CutAll();
    lock.lock();
    cv.wait_for(lock, std::chrono::milliseconds(20), [&] { return listen_done; });
  }
}

HttpServer::HttpServer(const Clock& clock, Logger& log, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(clock, log, std::move(options))) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Get(const std::string& path, HttpHandler handler) {
  impl_->server.Get(path, [handler = std::move(handler)](const httplib::Request&,
                                                         httplib::Response& res) {
    HttpResponse out;
    try {
      out = handler();
    } catch (...) {
      out = {500, "text/plain; charset=utf-8", "internal error\n"};
    }
    res.status = out.status;
    res.set_content(out.body, out.content_type.c_str());
  });
}

Status HttpServer::Start() {
  Impl& m = *impl_;
  m.Configure();
  int bound = -1;
  try {
    if (m.options.port == 0) {
      bound = m.server.bind_to_any_port(m.options.host);
    } else if (m.server.bind_to_port(m.options.host, m.options.port)) {
      bound = m.options.port;
    }
  } catch (...) {
    bound = -1;
  }
  const std::string where = m.options.host + ":" + std::to_string(m.options.port);
  if (bound <= 0) {
    return Status::IoError("cannot listen on " + where + ": " + std::strerror(errno));
  }
  m.port = static_cast<uint16_t>(bound);
  m.started = true;
  m.listener = std::thread([&m] { m.Listen(); });
  m.reaper = std::thread([&m] { m.Reap(); });
  return Status::Ok();
}

void HttpServer::Stop() {
  Impl& m = *impl_;
  if (!m.started) return;
  m.started = false;
  {
    std::lock_guard lock(m.mu);
    m.stopping = true;
  }
  m.cv.notify_all();
  m.reaper.join();
  m.StopListening();
  m.listener.join();
}

uint16_t HttpServer::port() const { return impl_->port.load(); }

}  // namespace ef::http
