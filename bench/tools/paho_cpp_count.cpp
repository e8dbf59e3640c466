// ef-paho-cpp-count: the same plain subscriber as ef-paho-c-count, written with the Paho C++
// API (mqtt::async_client and a callback), to measure what the C++ layer costs per message.
// Same options and JSON line as ef-paho-c-count.
#include <mqtt/async_client.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "bench/tools/cli_args.h"

namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class Counter : public virtual mqtt::callback {
 public:
  std::atomic<int64_t> count{0}, first_ns{0}, last_ns{0};
  void message_arrived(mqtt::const_message_ptr) override {
    const int64_t now = NowNs();
    int64_t zero = 0;
    first_ns.compare_exchange_strong(zero, now);
    last_ns.store(now);
    count.fetch_add(1);
  }
};

}  // namespace

int main(int argc, char** argv) {
  ef::bench::CliArgs args(argc, argv, {});
  const int64_t expect = args.Int("expect", 1);
  const int64_t timeout_s = args.Int("timeout", 120);
  try {
    mqtt::async_client client(args.String("uri", "tcp://127.0.0.1:1883"), "ef-paho-cpp-count",
                              mqtt::create_options(MQTTVERSION_3_1_1));
    Counter counter;
    client.set_callback(counter);
    auto opts = mqtt::connect_options_builder().clean_session(true).finalize();
    client.connect(opts)->wait();
    client.subscribe(args.String("topic", "#"), 1)->wait();
    std::fprintf(stderr, "subscribed\n");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    while (counter.count.load() < expect && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling a flag
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const double cpu_us =
        static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 +
        static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
    const int64_t n = counter.count.load();
    const double seconds =
        static_cast<double>(counter.last_ns.load() - counter.first_ns.load()) / 1e9;
    std::printf("{\"count\":%lld,\"seconds\":%.3f,\"rate\":%.0f,\"cpu_us_per_msg\":%.2f}\n",
                static_cast<long long>(n), seconds,
                seconds > 0 ? static_cast<double>(n) / seconds : 0,
                n > 0 ? cpu_us / static_cast<double>(n) : 0);
    client.disconnect()->wait();
    return n >= expect ? 0 : 1;
  } catch (const mqtt::exception& e) {
    std::fprintf(stderr, "paho c++: %s\n", e.what());
    return 1;
  }
}
