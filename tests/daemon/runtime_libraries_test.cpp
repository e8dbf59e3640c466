// The run-time loaders of Paho and libnats (daemon/runtime_libraries.h) in a binary that, like
// edgeferry, does not link them. Loading is once per process, so each case runs its scenario
// in a child process of its own (forked before any thread exists) and reports what failed.
#include <doctest/doctest.h>

#include <MQTTAsync.h>
#include <nats/nats.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "daemon/runtime_libraries.h"

namespace ef::daemon {
namespace {

// True when /proc/self/maps has a file whose name starts with `library` ("libssl.so").
bool Mapped(const std::string& library) {
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    if (line.find("/" + library) != std::string::npos) return true;
  }
  return false;
}

// Runs `scenario` in a child process; returns what it reported ("" when all held).
std::string InChild(const std::function<std::string()>& scenario) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    const std::string failed = scenario();
    ssize_t written = write(fds[1], failed.data(), failed.size());
    _exit(written == static_cast<ssize_t>(failed.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::string report;
  char buffer[512];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) report.append(buffer, n);
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  return report;
}

// Collects the conditions that did not hold, for the parent to report.
struct Failures {
  std::string text;
  void Expect(bool held, const std::string& what) {
    if (!held) text += what + "\n";
  }
};

TEST_CASE("the plain Paho serves plain URIs without OpenSSL, and TLS after it fails naming both") {
  const std::string failed = InChild([] {
    Failures f;
    f.Expect(LoadedMqttLibrary().empty(), "a Paho build was loaded before any call");
    const Status plain = LoadMqttLibrary(MqttVariant::kPlain);
    f.Expect(plain.ok(), "plain: " + plain.ToString());
    f.Expect(LoadedMqttLibrary() == kPahoPlainSoname, "loaded: " + LoadedMqttLibrary());
    f.Expect(MQTTAsync_strerror(MQTTASYNC_BAD_UTF8_STRING) != nullptr, "strerror: null");
    f.Expect(MQTTAsync_getVersionInfo() != nullptr, "getVersionInfo: null");
    const Status tls = LoadMqttLibrary(MqttVariant::kTls);
    f.Expect(!tls.ok() && tls.message().find(kPahoTlsSoname) != std::string::npos &&
                 tls.message().find(kPahoPlainSoname) != std::string::npos,
             "TLS after plain: " + tls.ToString());
    f.Expect(Mapped("libpaho-mqtt3a.so"), "libpaho-mqtt3a is not mapped");
    for (const char* other : {"libpaho-mqtt3as.so", "libnats.so", "libssl.so", "libcrypto.so"}) {
      f.Expect(!Mapped(other), std::string(other) + " is mapped");
    }
    return f.text;
  });
  CHECK_MESSAGE(failed.empty(), failed);
}

TEST_CASE("the first call from many threads at once loads the TLS build, once") {
  const std::string failed = InChild([] {
    constexpr int kThreads = 8;
    std::latch start(kThreads);
    std::atomic<int> answered{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&] {
        start.arrive_and_wait();
        if (MQTTAsync_getVersionInfo() != nullptr) answered.fetch_add(1);
      });
    }
    for (std::thread& t : threads) t.join();
    Failures f;
    f.Expect(answered.load() == kThreads, std::to_string(answered.load()) + " answered");
    f.Expect(LoadedMqttLibrary() == kPahoTlsSoname, "loaded: " + LoadedMqttLibrary());
    f.Expect(Mapped("libpaho-mqtt3as.so") && !Mapped("libpaho-mqtt3a.so"),
             "not exactly libpaho-mqtt3as is mapped");
    const Status plain = LoadMqttLibrary(MqttVariant::kPlain);  // the TLS build serves it
    f.Expect(plain.ok(), "plain after TLS: " + plain.ToString());
    return f.text;
  });
  CHECK_MESSAGE(failed.empty(), failed);
}

TEST_CASE("libnats is loaded on first use, and LoadNatsLibrary after it is a no-op") {
  const std::string failed = InChild([] {
    Failures f;
    f.Expect(!Mapped("libnats.so"), "libnats mapped before any call");
    const char* text = natsStatus_GetText(NATS_TIMEOUT);
    f.Expect(text != nullptr && std::string(text).find("Timeout") != std::string::npos,
             std::string("natsStatus_GetText: ") + (text ? text : "null"));
    f.Expect(Mapped("libnats.so"), "libnats not mapped after a call");
    const Status again = LoadNatsLibrary();
    f.Expect(again.ok(), "LoadNatsLibrary: " + again.ToString());
    f.Expect(LoadedMqttLibrary().empty(), "libnats loaded Paho too");
    return f.text;
  });
  CHECK_MESSAGE(failed.empty(), failed);
}

}  // namespace
}  // namespace ef::daemon
