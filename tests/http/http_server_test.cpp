// The monitoring HTTP server: serves its handlers (GET and HEAD, one request per
// connection), refuses large requests and other methods, cuts slow clients, keeps to its
// connection limit and stops promptly whatever its clients do. Real sockets on 127.0.0.1,
// port chosen by the kernel.
#include "http/http_server.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/connection_reaper.h"
#include "tests/support/http_client.h"
#include "tests/support/net.h"

namespace ef::http {
namespace {

using testkit::DeadlineIn;
using testkit::HttpGet;
using testkit::RawConnection;
using testkit::WaitUntil;
using namespace std::chrono_literals;

// Sends `request` on a new connection and reads the reply up to the server's close.
std::optional<testkit::HttpReply> Exchange(uint16_t port, const std::string& request) {
  RawConnection c;
  if (!c.Connect(port) || !c.Send(request, DeadlineIn(5s))) return std::nullopt;
  const auto raw = c.ReadToClose(DeadlineIn(5s));
  if (!raw) return std::nullopt;
  return testkit::ParseHttpReply(*raw);
}

struct ServerFixture {
  explicit ServerFixture(HttpServerOptions options = {}) {
    options.port = 0;
    server = std::make_unique<HttpServer>(clock, log, options);
    server->Get("/hello", [] { return HttpResponse{200, "text/plain", "hello\n"}; });
    server->Get("/down", [] { return HttpResponse{503, "application/json", "{}\n"}; });
    REQUIRE(server->Start().ok());
  }
  SystemClock clock;
  Logger log{LogLevel::kError};
  std::unique_ptr<HttpServer> server;
};

TEST_CASE("the server answers its paths with their status and content type, 404 elsewhere") {
  ServerFixture f;
  const auto hello = HttpGet(f.server->port(), "/hello", DeadlineIn(5s));
  REQUIRE(hello);
  CHECK(hello->status == 200);
  CHECK(hello->body == "hello\n");
  CHECK(hello->Header("Content-Type") == "text/plain");
  const auto down = HttpGet(f.server->port(), "/down", DeadlineIn(5s));
  REQUIRE(down);
  CHECK(down->status == 503);
  const auto missing = HttpGet(f.server->port(), "/nothing", DeadlineIn(5s));
  REQUIRE(missing);
  CHECK(missing->status == 404);
}

TEST_CASE("a request body above the limit is refused and the server serves on") {
  HttpServerOptions options;
  options.max_request_bytes = 1024;
  ServerFixture f(options);
  RawConnection big;
  REQUIRE(big.Connect(f.server->port()));
  const std::string body(10 * 1024 * 1024, 'x');
  const std::string head = "POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n";
  REQUIRE(big.Send(head, DeadlineIn(5s)));
  big.Send(body, DeadlineIn(5s));  // the server may close before taking it all
  const auto raw = big.ReadToClose(DeadlineIn(10s));
  REQUIRE(raw);
  if (!raw->empty()) {
    const auto reply = testkit::ParseHttpReply(*raw);
    REQUIRE(reply);
    CHECK(reply->status == 413);
  }
  const auto hello = HttpGet(f.server->port(), "/hello", DeadlineIn(5s));
  REQUIRE(hello);
  CHECK(hello->status == 200);
}

TEST_CASE("a connection that trickles its request is cut at the deadline") {
  HttpServerOptions options;
  options.request_deadline = 1s;
  ServerFixture f(options);
  RawConnection slow;
  REQUIRE(slow.Connect(f.server->port()));
  REQUIRE(slow.Send("GET /hello HTTP/1.1\r\nHost: x\r\n", DeadlineIn(5s)));
  // Not one read times out (io_timeout is 5 s); only the deadline ends it.
  const auto started = testkit::SteadyNow();
  CHECK(slow.WaitClosed(DeadlineIn(4s)));
  CHECK(testkit::SteadyNow() - started < 4s);
}

TEST_CASE("more slow clients than connections: all are cut, then the server serves again") {
  HttpServerOptions options;
  options.threads = 1;
  options.max_connections = 2;
  options.request_deadline = 1s;
  ServerFixture f(options);
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 4; ++i) {
    slow.push_back(std::make_unique<RawConnection>());
    REQUIRE(slow.back()->Connect(f.server->port()));
    REQUIRE(slow.back()->Send("GET /hello HTTP/1.1\r\n", DeadlineIn(5s)));
  }
  // Those left in the backlog are accepted once the first are cut, and cut in turn.
  for (auto& c : slow) CHECK(c->WaitClosed(DeadlineIn(8s)));
  const auto hello = HttpGet(f.server->port(), "/hello", DeadlineIn(5s));
  REQUIRE(hello);
  CHECK(hello->status == 200);
}

TEST_CASE("Stop() returns promptly while a slow client holds a connection") {
  ServerFixture f;  // io_timeout 5 s, request_deadline 10 s
  RawConnection slow;
  REQUIRE(slow.Connect(f.server->port()));
  REQUIRE(slow.Send("GET /hello HTTP/1.1\r\n", DeadlineIn(5s)));
  REQUIRE(HttpGet(f.server->port(), "/hello", DeadlineIn(5s)));
  const auto started = testkit::SteadyNow();
  f.server->Stop();
  CHECK(testkit::SteadyNow() - started < 2s);
  CHECK(slow.WaitClosed(DeadlineIn(2s)));
  CHECK_FALSE(testkit::PortAcceptsConnections(f.server->port()));
}

TEST_CASE("Start() fails, without throwing, when the port is taken") {
  ServerFixture first;
  SystemClock clock;
  Logger log{LogLevel::kError};
  HttpServerOptions options;
  options.port = first.server->port();
  HttpServer second(clock, log, options);
  const Status s = second.Start();
  CHECK_FALSE(s.ok());
  CHECK(s.message().find("cannot listen on 127.0.0.1:") != std::string::npos);
  second.Stop();  // nothing started: a no-op
}

TEST_CASE("HEAD answers the status and headers of GET without the body") {
  ServerFixture f;
  const auto head =
      Exchange(f.server->port(), "HEAD /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  REQUIRE(head);
  CHECK(head->status == 200);
  CHECK(head->Header("Content-Type") == "text/plain");
  CHECK(head->Header("Content-Length") == "6");  // as GET would send
  CHECK(head->body.empty());
}

TEST_CASE("one request per connection: the server closes it after the response") {
  ServerFixture f;
  // HTTP/1.1 without "Connection: close" would keep the connection open by default.
  const auto reply = Exchange(f.server->port(), "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(reply);
  CHECK(reply->status == 200);
  CHECK(reply->Header("Connection") == "close");
  CHECK(reply->body == "hello\n");
}

TEST_CASE("other methods are answered 405 on the server's paths, 404 elsewhere") {
  ServerFixture f;
  const auto post =
      Exchange(f.server->port(), "POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
  REQUIRE(post);
  CHECK(post->status == 405);
  CHECK(post->Header("Allow") == "GET, HEAD");
  const auto put = Exchange(f.server->port(), "PUT /nothing HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(put);
  CHECK(put->status == 404);
}

TEST_CASE("a handler that throws answers 500 and the server serves on") {
  SystemClock clock;
  Logger log{LogLevel::kError};
  HttpServerOptions options;
  options.port = 0;
  HttpServer server(clock, log, options);
  server.Get("/throws", []() -> HttpResponse { throw std::runtime_error("boom"); });
  REQUIRE(server.Start().ok());
  const auto failed = HttpGet(server.port(), "/throws", DeadlineIn(5s));
  REQUIRE(failed);
  CHECK(failed->status == 500);
  const auto again = HttpGet(server.port(), "/throws", DeadlineIn(5s));
  REQUIRE(again);
  CHECK(again->status == 500);
}

TEST_CASE("a client that does not read a large response is cut at the deadline, harmlessly") {
  // The cut shuts the socket down under the server's pending write, which then fails with
  // EPIPE: the SIGPIPE that raises must not end the process (nothing in this test binary
  // ignores SIGPIPE).
  SystemClock clock;
  Logger log{LogLevel::kError};
  HttpServerOptions options;
  options.port = 0;
  options.request_deadline = 1s;
  HttpServer server(clock, log, options);
  server.Get("/big", [] { return HttpResponse{200, "text/plain", std::string(32 << 20, 'x')}; });
  server.Get("/hello", [] { return HttpResponse{200, "text/plain", "hello\n"}; });
  REQUIRE(server.Start().ok());
  const uint16_t port = server.port();
  RawConnection stalled;
  REQUIRE(stalled.Connect(port));
  REQUIRE(stalled.Send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n", DeadlineIn(5s)));
  REQUIRE(WaitUntil(DeadlineIn(5s), [&] { return CountConnections(port) == 1; }));
  CHECK(WaitUntil(DeadlineIn(8s), [&] { return CountConnections(port) == 0; }));  // unread
  const auto hello = HttpGet(port, "/hello", DeadlineIn(5s));
  REQUIRE(hello);
  CHECK(hello->status == 200);
}

TEST_CASE("a connection that sends nothing is closed after the read timeout") {
  HttpServerOptions options;
  options.io_timeout = 1s;
  options.request_deadline = 60s;  // far beyond the wait below: only the read timeout acts
  ServerFixture f(options);
  RawConnection idle;
  REQUIRE(idle.Connect(f.server->port()));
  CHECK(idle.WaitClosed(DeadlineIn(10s)));
}

TEST_CASE("no more than max_connections are open at once, the others wait and are served") {
  SystemClock clock;
  Logger log{LogLevel::kError};
  HttpServerOptions options;
  options.port = 0;
  options.max_connections = 2;
  HttpServer server(clock, log, options);
  std::atomic<uint16_t> port{0};
  std::atomic<size_t> most{0};  // the most connections open while a handler ran
  server.Get("/count", [&] {
    const size_t open = CountConnections(port.load());
    size_t seen = most.load();
    while (open > seen && !most.compare_exchange_weak(seen, open)) {
    }
    return HttpResponse{200, "text/plain", std::to_string(open)};
  });
  REQUIRE(server.Start().ok());
  port = server.port();
  std::vector<std::unique_ptr<RawConnection>> slow, quick;
  for (int i = 0; i < 2; ++i) {  // two slow clients take both connections
    slow.push_back(std::make_unique<RawConnection>());
    REQUIRE(slow.back()->Connect(port));
    REQUIRE(slow.back()->Send("GET /count HTTP/1.1\r\n", DeadlineIn(5s)));
  }
  REQUIRE(WaitUntil(DeadlineIn(5s), [&] { return CountConnections(port) == 2; }));
  for (int i = 0; i < 4; ++i) {  // these wait in the kernel's backlog
    quick.push_back(std::make_unique<RawConnection>());
    REQUIRE(quick.back()->Connect(port));
    REQUIRE(quick.back()->Send("GET /count HTTP/1.1\r\nHost: x\r\n\r\n", DeadlineIn(5s)));
  }
  CHECK(CountConnections(port) <= 2);
  slow.clear();  // the slow clients leave: the others are served, two at a time at most
  for (auto& c : quick) {
    const auto raw = c->ReadToClose(DeadlineIn(10s));
    REQUIRE(raw);
    const auto reply = testkit::ParseHttpReply(*raw);
    REQUIRE(reply);
    CHECK(reply->status == 200);
  }
  CHECK(most.load() >= 1);
  CHECK(most.load() <= 2);
}

}  // namespace
}  // namespace ef::http
