// The batch formats on the wire: json batches with payloads verbatim, and ndjson batches
// compressed with zstd (published to "<topic>/zstd"): one header line, then exactly one line
// per event, also when a device sends pretty-printed JSON that spans several lines.
#include <doctest/doctest.h>

#include <algorithm>

#include "tests/integration/ferry_rig.h"
#include "tests/integration/plant_load.h"
#include "tests/integration/uplink_rig.h"
#include "tests/support/cloud_collector.h"

namespace ef::testkit {
namespace {

using std::chrono::seconds;

// Valid JSON over several lines, as a device's pretty-printer writes it.
const char kMultiLinePayload[] =
    "{\n  \"device\": \"pretty-01\",\n  \"n\": 0,\n  \"temp\": 21.5\n}";

struct FormatRun {
  std::vector<Arrival> arrivals;
  CollectorStats stats;
  bool complete = false;
  std::vector<std::string> missing;
};

// Publishes `load` and the multi-line payload through edgeferry with `uplink_extra`.
FormatRun Deliver(const std::string& uplink_extra, const PlantLoad& load) {
  FormatRun run;
  MosquittoBroker cloud(BrokerOptions{.name = "cloud",
                                      .persistence = false,
                                      .per_listener_settings = false,
                                      .extra_config = {},
                                      .executable = {}});
  REQUIRE(cloud.Start(DeadlineIn(seconds(10))));
  UplinkRig rig;
  REQUIRE(rig.edge().Start(DeadlineIn(seconds(10))));
  CollectorOptions options;
  options.uri = cloud.uri();
  options.client_id = "ef-format-collector";
  CloudCollector collector(options);
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());
  rig.WriteConfig("uri = \"" + cloud.uri() + "\"\nclient_id = \"edgeferry-format-test\"\n" +
                  uplink_extra);
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));

  TestPublisher publisher(PublisherOptions{.uri = rig.edge().uri()});
  REQUIRE_MESSAGE(publisher.Connect(DeadlineIn(seconds(15))), publisher.error());
  std::string error;
  REQUIRE_MESSAGE(PublishPlant(publisher, load, DeadlineIn(seconds(30)), &error), error);
  REQUIRE(
      publisher.Publish("plant/pretty-01/telemetry", kMultiLinePayload, DeadlineIn(seconds(10))));
  REQUIRE(publisher.WaitAllAcked(DeadlineIn(seconds(10))));
  run.complete =
      collector.WaitForCount(static_cast<size_t>(load.total) + 1, DeadlineIn(seconds(15)));
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
  run.arrivals = collector.Arrivals();
  run.stats = collector.Stats();
  run.missing = collector.MissingCounters(load.DeviceIds(), load.PerDevice());
  return run;
}

// The event of `device` in the arrivals, if any.
std::optional<Envelope> FindEvent(const std::vector<Arrival>& arrivals, const std::string& device) {
  for (const Arrival& a : arrivals) {
    if (!a.batch) continue;
    for (const Envelope& e : a.batch->events) {
      if (e.device == device) return e;
    }
  }
  return std::nullopt;
}

TEST_CASE("batch formats: json batches carry every event, payloads verbatim") {
  const PlantLoad load{.devices = 10, .total = 2'000};
  const FormatRun run = Deliver("batch = \"json\"\n", load);
  CHECK(run.complete);
  CHECK_MESSAGE(run.missing.empty(), DescribeMissing(run.missing));
  CHECK(run.stats.unparsed == 0);
  CHECK(run.stats.duplicate_seq == 0);
  size_t wrong_topic = 0, not_json = 0, wrong_payload = 0;
  for (const Arrival& a : run.arrivals) {
    if (a.topic != "edgeferry/gw-test/telemetry") ++wrong_topic;
    if (!a.batch || a.batch->ndjson) {
      ++not_json;
      continue;
    }
    CHECK(a.batch->keys == std::vector<std::string>{"gateway", "stream", "first_seq", "last_seq",
                                                    "count", "events"});
    for (const Envelope& e : a.batch->events) {
      if (e.device.starts_with("dev-") &&
          e.payload != load.Payload(std::stoi(e.device.substr(4)),
                                    *EnvelopeParser().IntField(*e.payload, "n"))) {
        ++wrong_payload;
      }
    }
  }
  CHECK(wrong_topic == 0);
  CHECK(not_json == 0);
  CHECK(wrong_payload == 0);
  std::optional<Envelope> pretty = FindEvent(run.arrivals, "pretty-01");
  REQUIRE(pretty);
  CHECK(pretty->payload == std::string(kMultiLinePayload));
}

TEST_CASE("batch formats: ndjson with zstd, one line per event") {
  const PlantLoad load{.devices = 10, .total = 2'000};
  const FormatRun run = Deliver("batch = \"ndjson\"\ncompression = \"zstd\"\n", load);
  CHECK(run.complete);
  CHECK_MESSAGE(run.missing.empty(), DescribeMissing(run.missing));
  CHECK(run.stats.unparsed == 0);
  size_t plain = 0, not_ndjson = 0, wrong_lines = 0, smaller = 0;
  for (const Arrival& a : run.arrivals) {
    if (!a.compressed || a.topic != "edgeferry/gw-test/telemetry/zstd") ++plain;
    if (a.wire_bytes < a.message.size()) ++smaller;
    if (!a.batch || !a.batch->ndjson) {
      ++not_ndjson;
      continue;
    }
    // Header line + one line per event, each ending in a newline.
    const size_t lines = static_cast<size_t>(std::count(a.message.begin(), a.message.end(), '\n'));
    if (lines != a.batch->events.size() + 1 ||
        static_cast<int64_t>(a.batch->events.size()) != a.batch->count) {
      ++wrong_lines;
    }
  }
  MESSAGE(run.arrivals.size() << " messages, " << run.stats.unparsed << " unparsed");
  CHECK(plain == 0);
  CHECK(not_ndjson == 0);
  CHECK(wrong_lines == 0);
  CHECK(smaller == run.arrivals.size());  // zstd made every message smaller
  std::optional<Envelope> pretty = FindEvent(run.arrivals, "pretty-01");
  CHECK_MESSAGE(pretty, "the event with a multi-line JSON payload is not a line of its own");
}

}  // namespace
}  // namespace ef::testkit
