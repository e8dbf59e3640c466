// ef-mqtt-load: offers telemetry to an MQTT broker the way a plant full of devices would.
//
//   ef-mqtt-load --uri tcp://127.0.0.1:P [--devices 20] [--count 10000] [--rate 0]
//                [--topic-prefix plant] [--qos 1] [--inflight 100] [--client-id ID]
//
// Publishes PREFIX/dev-NN/telemetry, round-robin over the devices, each payload a ~120-byte
// JSON object with the device, its own counter "n", the send time "t_us" (microseconds since
// the epoch, for end-to-end latency) and a few readings. --rate 0 publishes as fast as the
// broker acknowledges (at most --inflight unacknowledged); --count 0 runs until SIGINT or
// SIGTERM. The last line on stdout is "published N" (N = acknowledged messages).
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>

#include "bench/tools/cli_args.h"
#include "tests/support/test_publisher.h"
#include "tests/support/wait.h"

namespace ef::bench {
namespace {

using std::chrono::seconds;
using testkit::DeadlineIn;

volatile std::sig_atomic_t g_stop = 0;  // set by SIGINT/SIGTERM only

void OnStopSignal(int) { g_stop = 1; }

std::string DeviceName(int index, int devices) {
  std::string digits = std::to_string(index);
  size_t width = std::to_string(std::max(devices - 1, 10)).size();
  return "dev-" + std::string(width - std::min(width, digits.size()), '0') + digits;
}

std::string Payload(const std::string& device, int64_t n, int64_t t_us) {
  char body[192];
  std::snprintf(body, sizeof body,
                R"({"device":"%s","n":%lld,"t_us":%lld,"temp":%.2f,"humidity":%.2f,)"
                R"("vibration":%.3f,"status":"ok"})",
                device.c_str(), static_cast<long long>(n), static_cast<long long>(t_us),
                18.0 + static_cast<double>(n % 700) / 100, 40.0 + static_cast<double>(n % 300) / 10,
                static_cast<double>(n % 50) / 1000);
  return body;
}

int Run(const CliArgs& args) {
  const std::string uri = args.String("uri", "tcp://127.0.0.1:1883");
  const int devices = static_cast<int>(args.Int("devices", 20));
  const int64_t count = args.Int("count", 10'000);
  const double rate = args.Double("rate", 0);
  const std::string prefix = args.String("topic-prefix", "plant");
  if (devices <= 0 || count < 0 || rate < 0)
    throw std::invalid_argument("bad --devices/--count/--rate");

  testkit::TestPublisher publisher(testkit::PublisherOptions{
      .uri = uri,
      .client_id = args.String("client-id", "ef-mqtt-load-" + std::to_string(::getpid())),
      .qos = static_cast<int>(args.Int("qos", 1)),
      .max_inflight = static_cast<size_t>(args.Int("inflight", 100))});
  if (!publisher.Connect(DeadlineIn(seconds(15)))) {
    std::cerr << "ef-mqtt-load: " << publisher.error() << "\n";
    return 1;
  }
  std::vector<std::string> topics, names;
  for (int d = 0; d < devices; ++d) {
    names.push_back(DeviceName(d, devices));
    topics.push_back(prefix + "/" + names.back() + "/telemetry");
  }
  const auto start = testkit::SteadyNow();
  int64_t sent = 0;
  for (; (count == 0 || sent < count) && !g_stop; ++sent) {
    if (rate > 0) {  // pacing, not waiting: message i is due at start + i / rate
      testkit::HoldUntil(start +
                         std::chrono::duration_cast<testkit::SteadyClock::duration>(
                             std::chrono::duration<double>(static_cast<double>(sent) / rate)));
    }
    int d = static_cast<int>(sent % devices);
    std::string body = Payload(names[d], sent / devices, testkit::WallMicros());
    if (!publisher.Publish(topics[d], body, DeadlineIn(seconds(60)))) {
      std::cerr << "ef-mqtt-load: " << publisher.error() << "\n";
      break;
    }
  }
  bool all_acked = publisher.WaitAllAcked(DeadlineIn(seconds(60)));
  double elapsed = std::chrono::duration<double>(testkit::SteadyNow() - start).count();
  std::cerr << "ef-mqtt-load: " << publisher.acked() << " acknowledged in " << elapsed << " s ("
            << static_cast<double>(publisher.acked()) / elapsed << " msg/s)\n";
  std::cout << "published " << publisher.acked() << std::endl;
  return all_acked && (count == 0 || publisher.acked() == static_cast<size_t>(count)) ? 0 : 1;
}

}  // namespace
}  // namespace ef::bench

int main(int argc, char** argv) {
  std::signal(SIGINT, ef::bench::OnStopSignal);
  std::signal(SIGTERM, ef::bench::OnStopSignal);
  try {
    return ef::bench::Run(ef::bench::CliArgs(argc, argv, {}));
  } catch (const std::exception& e) {
    std::cerr << "ef-mqtt-load: " << e.what() << "\n";
    return 2;
  }
}
