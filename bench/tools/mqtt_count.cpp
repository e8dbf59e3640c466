// ef-mqtt-count: counts what arrives on a topic filter and how late it is.
//
//   ef-mqtt-count --uri tcp://127.0.0.1:P [--topic 'edgeferry/#'] [--expect N] [--timeout S]
//                 [--qos 1] [--client-id ID] [--print]
//
// Prints "subscribed TOPIC" on stderr once the subscription is in place (scripts wait for it),
// then counts distinct messages (edgeferry envelopes are de-duplicated by (device, seq)) until
// N have arrived, S seconds have passed, or SIGINT/SIGTERM. --print writes one line per message
// (device, seq, payload). The last stdout line is JSON: count, received, duplicates, seconds
// (first to last arrival), rate, p50_ms/p99_ms (payload "t_us" to arrival), complete.
// Exit status 0 if N was reached (or no --expect given), 1 otherwise.
#include <MQTTAsync.h>
#include <unistd.h>

#include <condition_variable>
#include <csignal>
#include <cstring>
#include <deque>
#include <iostream>
#include <mutex>

#include "bench/tools/arrival_stats.h"
#include "bench/tools/cli_args.h"
#include "tests/support/paho_connection.h"

namespace ef::bench {
namespace {

using testkit::DeadlineIn;

volatile std::sig_atomic_t g_stop = 0;  // set by SIGINT/SIGTERM only

void OnStopSignal(int) { g_stop = 1; }

// Shared between Paho's callback thread (records, notifies) and main (waits, prints).
struct Counter {
  std::mutex mu;
  std::condition_variable cv;
  ArrivalStats stats;
  bool print = false;
  std::deque<std::string> to_print;
  bool subscribed = false;
  std::string error;
};

int OnMessage(void* context, char* topic, int topic_len, MQTTAsync_message* message) {
  auto* counter = static_cast<Counter*>(context);
  int64_t arrival_us = testkit::WallMicros();
  auto arrival = testkit::SteadyNow();
  std::string_view topic_text(topic,
                              topic_len > 0 ? static_cast<size_t>(topic_len) : std::strlen(topic));
  std::string_view body(static_cast<const char*>(message->payload),
                        static_cast<size_t>(message->payloadlen));
  {
    std::lock_guard lock(counter->mu);
    std::string line = counter->stats.Record(topic_text, body, arrival_us, arrival);
    if (counter->print) counter->to_print.push_back(std::move(line));
  }
  MQTTAsync_freeMessage(&message);
  MQTTAsync_free(topic);
  counter->cv.notify_all();
  return 1;
}

void OnSubscribed(void* context, MQTTAsync_successData*) {
  auto* counter = static_cast<Counter*>(context);
  {
    std::lock_guard lock(counter->mu);
    counter->subscribed = true;
  }
  counter->cv.notify_all();
}

void OnSubscribeFailed(void* context, MQTTAsync_failureData* data) {
  auto* counter = static_cast<Counter*>(context);
  {
    std::lock_guard lock(counter->mu);
    counter->error = "subscribe failed, code " + std::to_string(data ? data->code : 0);
  }
  counter->cv.notify_all();
}

int Run(const CliArgs& args) {
  const std::string topic = args.String("topic", "edgeferry/#");
  const int64_t expect = args.Int("expect", 0);
  const auto deadline = DeadlineIn(std::chrono::seconds(args.Int("timeout", 60)));
  Counter counter;
  counter.print = args.Has("print");

  testkit::PahoConnection conn(testkit::PahoOptions{
      .uri = args.String("uri", "tcp://127.0.0.1:1883"),
      .client_id = args.String("client-id", "ef-mqtt-count-" + std::to_string(::getpid())),
      .clean_session = true,
      .auto_reconnect = false,
      .max_inflight = 100});
  MQTTAsync_setCallbacks(conn.handle(), &counter, nullptr, &OnMessage, nullptr);
  std::string error;
  if (!conn.Connect(DeadlineIn(std::chrono::seconds(15)), &error)) {
    std::cerr << "ef-mqtt-count: " << error << "\n";
    return 1;
  }
  MQTTAsync_responseOptions response = MQTTAsync_responseOptions_initializer;
  response.onSuccess = &OnSubscribed;
  response.onFailure = &OnSubscribeFailed;
  response.context = &counter;
  MQTTAsync_subscribe(conn.handle(), topic.c_str(), static_cast<int>(args.Int("qos", 1)),
                      &response);

  std::unique_lock lock(counter.mu);
  bool announced = false;
  bool complete = false;
  while (!g_stop && testkit::SteadyNow() < deadline && counter.error.empty()) {
    if (counter.subscribed && !announced) {
      std::cerr << "subscribed " << topic << std::endl;
      announced = true;
    }
    for (; !counter.to_print.empty(); counter.to_print.pop_front()) {
      std::cout << counter.to_print.front() << "\n";
    }
    complete = expect > 0 && counter.stats.count() >= static_cast<size_t>(expect);
    if (complete) break;
    // Short slices so that a signal is noticed; arrivals wake us at once.
    counter.cv.wait_until(lock, std::min(deadline, DeadlineIn(std::chrono::milliseconds(100))));
  }
  if (!counter.error.empty()) std::cerr << "ef-mqtt-count: " << counter.error << "\n";
  std::cout << counter.stats.Json(complete) << std::endl;
  lock.unlock();
  conn.Close();
  return complete || expect == 0 ? 0 : 1;
}

}  // namespace
}  // namespace ef::bench

int main(int argc, char** argv) {
  std::signal(SIGINT, ef::bench::OnStopSignal);
  std::signal(SIGTERM, ef::bench::OnStopSignal);
  try {
    return ef::bench::Run(ef::bench::CliArgs(argc, argv, {"print"}));
  } catch (const std::exception& e) {
    std::cerr << "ef-mqtt-count: " << e.what() << "\n";
    return 2;
  }
}
