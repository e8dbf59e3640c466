// The JetStream uplink's parts that need no server: [uplink] kind = "jetstream" binding,
// message ids, and durable batch boundaries (BatchMarks) that make a resent batch, also after
// a restart, hold exactly the events of its first send.
#include <doctest/doctest.h>

#include "daemon/daemon_config.h"
#include "tests/fakes/captured_log.h"
#include "tests/fakes/forwarder_rig.h"
#include "tests/fakes/wait.h"
#include "uplink/batch_marks.h"
#include "uplink/duplicate_window.h"
#include "uplink/publisher_kinds.h"

namespace ef::uplink {
namespace {

using testing::WaitUntil;

constexpr char kSource[] = "[[sources.mqtt]]\nname = \"edge\"\nuri = \"tcp://127.0.0.1:1883\"\n"
                           "[gateway]\nid = \"gw-1\"\n";

TEST_CASE("kind = jetstream binds [uplink.jetstream] and a NATS subject by default") {
  daemon::DaemonConfig config;
  const auto errors = daemon::LoadConfigText(
      std::string(kSource) + "[uplink]\nkind = \"jetstream\"\n[uplink.jetstream]\n"
                             "servers = [\"nats://a:4222\", \"tls://b:4222\"]\n"
                             "stream = \"EF\"\ncreate_stream = true\nreplicas = 3\n"
                             "storage = \"memory\"\nduplicate_window_s = 3600\n",
      "gw.toml", &config);
  REQUIRE(errors.empty());
  const UplinkConfig& up = *config.uplink;
  CHECK(up.kind == UplinkKind::kJetStream);
  REQUIRE(up.jetstream.has_value());
  CHECK(up.jetstream->servers.size() == 2);
  CHECK(up.jetstream->stream == "EF");
  CHECK(up.jetstream->create_stream);
  CHECK(up.jetstream->replicas == 3);
  CHECK(up.jetstream->storage == JetStreamStorage::kMemory);
  CHECK(up.jetstream->duplicate_window_s == 3600);
  CHECK(up.topic == "edgeferry.{gateway}.{stream}");
  CHECK(SubjectFilterOf(up.topic) == "edgeferry.*.*");
  ForwarderOptions options;
  options.status_topic = "edgeferry/gw-1/status";
  ApplyKind(up, options);
  CHECK(options.message_ids);
  CHECK(options.duplicate_window == std::chrono::seconds(3600));
  CHECK(options.in_order_inflight == 1);  // in_order streams stay in order in the stream
  CHECK(options.status_topic.empty());
}

TEST_CASE("kind = jetstream: errors name the place") {
  daemon::DaemonConfig config;
  auto errors = daemon::LoadConfigText(std::string(kSource) + "[uplink]\nkind = \"jetstream\"\n",
                                       "gw.toml", &config);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].find("gw.toml:6:1: kind = \"jetstream\" needs an [uplink.jetstream]") == 0);
  errors = daemon::LoadConfigText(
      std::string(kSource) + "[uplink]\nkind = \"jetstream\"\n[uplink.jetstream]\n"
                             "servers = [\"tcp://a:4222\"]\nstream = \"a.b\"\nreplicas = 7\n",
      "gw.toml", &config);
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].find("gw.toml:9:11: 'servers': server 'tcp://a:4222' must start with") == 0);
  CHECK(errors[1].find("gw.toml:10:10: 'stream': 'a.b' is no valid stream name") == 0);
  CHECK(errors[2].find("gw.toml:11:12: 'replicas': must be between 1 and 5") == 0);
}

TEST_CASE("message ids: <gateway>-<seq> per event, <gateway>-<first>-<last> per batch") {
  CHECK(MessageId("gw", 7, 7, false) == "gw-7");
  CHECK(MessageId("gw", 7, 9, true) == "gw-7-9");
  CHECK(MessageId("gw", 7, 7, true) == "gw-7-7");  // never the id of event 7 alone
}

TEST_CASE("batch marks: cut limits, durable across instances, erased with the next record") {
  storage::MemStore store;
  Logger log{LogLevel::kError};
  std::vector<Event> events = testing::JsonEvents(10);
  REQUIRE(store.Append(events).ok());
  BatchMarks marks(store, log);
  REQUIRE(marks.Record("telemetry", 1, 3).ok());
  REQUIRE(marks.Record("telemetry", 6, 8).ok());
  CHECK(marks.CutLimit("telemetry", 1) == 3);
  CHECK(marks.CutLimit("telemetry", 2) == 3);  // inside a mark: to its end
  CHECK(marks.CutLimit("telemetry", 4) == 5);  // before the next mark
  CHECK(marks.CutLimit("telemetry", 9) == BatchMarks::kNoLimit);
  CHECK(marks.CutLimit("alerts", 1) == BatchMarks::kNoLimit);
  CHECK(marks.Holds("telemetry", 7));
  CHECK_FALSE(marks.Holds("telemetry", 4));

  BatchMarks reloaded(store, log);  // a restart
  reloaded.Load();
  CHECK(reloaded.size() == 2);
  CHECK(reloaded.CutLimit("telemetry", 6) == 8);

  // Settled marks go with the next record; marks of events no longer queued are dropped.
  marks.Forget("telemetry", 1);
  const uint64_t acked[] = {1, 2, 3};
  REQUIRE(store.Ack("telemetry", acked).ok());
  REQUIRE(marks.Record("telemetry", 9, 10).ok());
  BatchMarks after(store, log);
  after.Load();
  CHECK(after.size() == 2);
  CHECK(after.CutLimit("telemetry", 4) == 5);
}

TEST_CASE("a queued event older than the duplicate window is a warning, at most once a minute") {
  storage::MemStore store;
  testing::ManualClock clock;
  testing::CapturedLog captured;
  DuplicateWindowWatch watch(std::chrono::seconds(120), captured.log());
  std::vector<Event> events = testing::JsonEvents(1, "telemetry", "{}", clock.WallMillis());
  REQUIRE(store.Append(events).ok());
  watch.Look(store, clock);
  CHECK(captured.Count("duplicate window") == 0);
  clock.Advance(std::chrono::seconds(121));
  watch.Look(store, clock);
  CHECK(captured.Count("more than the cloud's duplicate window (120 s)") == 1);
  clock.Advance(std::chrono::seconds(10));
  watch.Look(store, clock);
  CHECK(captured.Count("duplicate window") == 1);  // throttled
}

ForwarderOptions ExactlyOnce(BatchFormat batch) {
  ForwarderOptions o;
  o.topic_template = "edgeferry.{gateway}.{stream}";
  o.batch = batch;
  o.batch_max_events = 4;
  o.message_ids = true;
  return o;
}

TEST_CASE("one event per message: the id is <gateway>-<seq>, the same on a resend") {
  testing::ForwarderRig rig(ExactlyOnce(BatchFormat::kNone));
  rig.Append(testing::JsonEvents(2));
  rig.forwarder->Start();
  REQUIRE(rig.publisher.WaitForOutstanding(2));
  rig.publisher.CompleteNext(PublishResult::kNotSent);  // e.g. "no responders"
  rig.publisher.CompleteNext(PublishResult::kOk);
  REQUIRE(rig.publisher.WaitForOutstanding(1));
  const auto sent = rig.publisher.sent();
  REQUIRE(sent.size() == 3);
  CHECK(sent[0].msg_id == "gw-1");
  CHECK(sent[1].msg_id == "gw-2");
  CHECK(sent[2].msg_id == "gw-1");  // only the unacknowledged one again
  rig.publisher.CompleteNext(PublishResult::kOk);
  CHECK(WaitUntil([&] { return rig.Stored() == 0; }));
}

TEST_CASE("a batch sent before a restart is rebuilt with the same events and id") {
  testing::ForwarderRig rig(ExactlyOnce(BatchFormat::kJson));
  const int64_t old_ms = rig.clock.WallMillis() - 1000;  // no lingering
  rig.Append(testing::JsonEvents(3, "telemetry", "{}", old_ms));
  rig.forwarder->Start();
  REQUIRE(rig.publisher.WaitForOutstanding(1));
  rig.forwarder->Stop();  // unacknowledged: stays queued, as after a crash
  CHECK(rig.publisher.sent().front().msg_id == "gw-1-3");

  // More events arrived meanwhile: a fresh cut would put 1..4 in one batch.
  std::vector<Event> more = testing::JsonEvents(3, "telemetry", "{}", old_ms);
  REQUIRE(rig.store.Append(more).ok());
  testing::RecordingPublisher publisher;
  MetricsRegistry metrics;
  ForwarderOptions options = ExactlyOnce(BatchFormat::kJson);
  options.gateway_id = "gw";
  options.drain_timeout = std::chrono::milliseconds(0);
  Forwarder restarted(rig.store, publisher, rig.clock, rig.log, metrics, options);
  restarted.Start();
  REQUIRE(publisher.WaitForOutstanding(2));
  const auto sent = publisher.sent();
  CHECK(sent[0].msg_id == "gw-1-3");
  CHECK(sent[0].payload.find("\"first_seq\":1,\"last_seq\":3,\"count\":3") != std::string::npos);
  CHECK(sent[1].msg_id == "gw-4-6");
  publisher.CompleteNext(PublishResult::kOk);
  publisher.CompleteNext(PublishResult::kOk);
  CHECK(WaitUntil([&] { return rig.store.Stats()->events == 0; }));
  restarted.Stop();
}

}  // namespace
}  // namespace ef::uplink
