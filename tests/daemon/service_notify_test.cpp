// The sd_notify protocol without libsystemd: a datagram to the socket $NOTIFY_SOCKET names,
// at a path or in the abstract namespace ('@'); nothing without it. The watchdog interval
// from $WATCHDOG_USEC, for this process only ($WATCHDOG_PID).
#include "daemon/service_notify.h"

#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <string>

#include "tests/support/notify_socket.h"
#include "tests/support/temp_dir.h"

namespace ef::daemon {
namespace {

using namespace std::chrono_literals;

// Sets an environment variable for the scope of a test, restoring what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old, had_ = true;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (had_) setenv(name_, old_.c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

TEST_CASE("a state change reaches a notify socket at a path") {
  testkit::TempDir dir("ef-notify");
  testkit::NotifySocket socket(dir.File("notify.sock"));
  ScopedEnv env("NOTIFY_SOCKET", socket.path().string());
  CHECK(NotifyServiceManager("READY=1\nSTATUS=ingest is up"));
  CHECK(socket.WaitFor("STATUS=ingest is up", testkit::DeadlineIn(5s)));
}

TEST_CASE("a state change reaches a notify socket in the abstract namespace") {
  const std::string name = "ef-notify-test-" + std::to_string(getpid());
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  name.copy(address.sun_path + 1, name.size());  // sun_path[0] stays NUL: abstract
  REQUIRE(bind(fd, reinterpret_cast<const sockaddr*>(&address),
               static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size())) == 0);
  {
    ScopedEnv env("NOTIFY_SOCKET", "@" + name);
    CHECK(NotifyServiceManager("WATCHDOG=1"));
  }
  char buffer[64] = {};
  // The datagram was queued before sendto returned: a non-blocking read finds it.
  const ssize_t n = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
  close(fd);
  CHECK(std::string(buffer, n > 0 ? static_cast<size_t>(n) : 0) == "WATCHDOG=1");
}

TEST_CASE("without a usable NOTIFY_SOCKET nothing is sent") {
  {
    ScopedEnv env("NOTIFY_SOCKET", "relative/notify.sock");
    CHECK_FALSE(NotifyServiceManager("READY=1"));
  }
  unsetenv("NOTIFY_SOCKET");
  CHECK_FALSE(NotifyServiceManager("READY=1"));
}

TEST_CASE("the watchdog interval is WATCHDOG_USEC, for this process only") {
  ScopedEnv usec("WATCHDOG_USEC", "20000000");
  {
    ScopedEnv pid("WATCHDOG_PID", std::to_string(getpid()));
    CHECK(WatchdogIntervalFromEnvironment() == 20s);
  }
  {
    ScopedEnv pid("WATCHDOG_PID", std::to_string(getpid() + 1));
    CHECK(WatchdogIntervalFromEnvironment() == 0s);
  }
  unsetenv("WATCHDOG_PID");
  CHECK(WatchdogIntervalFromEnvironment() == 20s);
  ScopedEnv bad("WATCHDOG_USEC", "20s");
  CHECK(WatchdogIntervalFromEnvironment() == 0s);
}

}  // namespace
}  // namespace ef::daemon
