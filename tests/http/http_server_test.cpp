// The monitoring HTTP server: serves its handlers, refuses large requests, cuts slow clients
// and stops promptly whatever its clients do. Real sockets on 127.0.0.1, port chosen by the
// kernel.
#include "http/http_server.h"

#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/net.h"

namespace ef::http {
namespace {

using testkit::DeadlineIn;
using testkit::HttpGet;
using testkit::RawConnection;
using namespace std::chrono_literals;

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
  // Those waiting for a worker age too (the deadline counts from the accept).
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

}  // namespace
}  // namespace ef::http
