// ef-paho-c-count: the plainest Paho C (MQTTAsync) subscriber: counts QoS 1 messages on a
// topic filter until --expect N arrived, then prints one JSON line: count, seconds (first to
// last arrival), rate, and the process CPU time per message (user + system, microseconds),
// the per-message cost of the library with nothing else done. Compare ef-paho-cpp-count.
//
//   ef-paho-c-count --uri tcp://127.0.0.1:P --topic 'plant/#' --expect N [--timeout S]
//
// Prints "subscribed" on stderr once the subscription is in place.
#include <MQTTAsync.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "bench/tools/cli_args.h"

namespace {

std::atomic<int64_t> g_count{0};
std::atomic<bool> g_subscribed{false};
std::atomic<int64_t> g_first_ns{0}, g_last_ns{0};

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int OnMessage(void*, char* topic, int, MQTTAsync_message* message) {
  const int64_t now = NowNs();
  int64_t zero = 0;
  g_first_ns.compare_exchange_strong(zero, now);
  g_last_ns.store(now);
  g_count.fetch_add(1);
  MQTTAsync_freeMessage(&message);
  MQTTAsync_free(topic);
  return 1;
}

void OnSubscribed(void*, MQTTAsync_successData*) { g_subscribed.store(true); }

struct Ctx {
  MQTTAsync client;
  std::string topic;
};

void OnConnected(void* context, MQTTAsync_successData*) {
  auto* ctx = static_cast<Ctx*>(context);
  MQTTAsync_responseOptions opts = MQTTAsync_responseOptions_initializer;
  opts.onSuccess = OnSubscribed;
  (void)MQTTAsync_subscribe(ctx->client, ctx->topic.c_str(), 1, &opts);
}

}  // namespace

int main(int argc, char** argv) {
  ef::bench::CliArgs args(argc, argv, {});
  const std::string uri = args.String("uri", "tcp://127.0.0.1:1883");
  Ctx ctx{nullptr, args.String("topic", "#")};
  const int64_t expect = args.Int("expect", 1);
  const int64_t timeout_s = args.Int("timeout", 120);
  MQTTAsync_create(&ctx.client, uri.c_str(), "ef-paho-c-count", MQTTCLIENT_PERSISTENCE_NONE,
                   nullptr);
  MQTTAsync_setCallbacks(ctx.client, &ctx, nullptr, OnMessage, nullptr);
  MQTTAsync_connectOptions opts = MQTTAsync_connectOptions_initializer;
  opts.cleansession = 1;
  opts.onSuccess = OnConnected;
  opts.context = &ctx;
  if (MQTTAsync_connect(ctx.client, &opts) != MQTTASYNC_SUCCESS) return 1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (!g_subscribed.load() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling a flag, not a test
  }
  std::fprintf(stderr, "subscribed\n");
  while (g_count.load() < expect && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double cpu_us = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 +
                        static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  const int64_t n = g_count.load();
  const double seconds = static_cast<double>(g_last_ns.load() - g_first_ns.load()) / 1e9;
  std::printf("{\"count\":%lld,\"seconds\":%.3f,\"rate\":%.0f,\"cpu_us_per_msg\":%.2f}\n",
              static_cast<long long>(n), seconds, seconds > 0 ? static_cast<double>(n) / seconds : 0,
              n > 0 ? cpu_us / static_cast<double>(n) : 0);
  MQTTAsync_disconnectOptions disc = MQTTAsync_disconnectOptions_initializer;
  (void)MQTTAsync_disconnect(ctx.client, &disc);
  MQTTAsync_destroy(&ctx.client);
  return n >= expect ? 0 : 1;
}
