// LocalPublishStage: rule outputs with a publish topic go to the local broker's publisher,
// topic expanded; others are left alone; while the publisher is not connected (or loses a
// message before the ack) messages wait and are sent again on the stage's timer.
#include "daemon/local_publish.h"

#include <doctest/doctest.h>

#include <chrono>
#include <map>

#include "tests/fakes/recording_publisher.h"

namespace ef::daemon {
namespace {

using std::chrono::milliseconds;

Event Output(const std::string& rule, const std::string& device) {
  Event e;
  e.stream = "alerts";
  e.device_id = device;
  e.origin = "rule/" + rule;
  e.payload = R"({"state":"raised"})";
  return e;
}

struct Rig {
  std::map<std::string, std::string, std::less<>> topics = {{"hot", "hmi/{device}/{rule}"}};
  testing::RecordingPublisher* publisher = nullptr;
  Logger log{LogLevel::kError};
  MetricsRegistry metrics;
  LocalPublishStage stage{
      [this](std::string_view rule) -> const std::string* {
        auto it = topics.find(rule);
        return it == topics.end() ? nullptr : &it->second;
      },
      [this] {
        auto p = std::make_unique<testing::RecordingPublisher>();
        p->SetConnected(false);  // as a client that has not connected yet
        publisher = p.get();
        return std::unique_ptr<Publisher>(std::move(p));
      },
      log, metrics};
  Clock::TimePoint now{std::chrono::seconds(10)};

  void Process(std::vector<Event> events) {
    std::vector<StateEntry> state;
    StageGroup group{events, state, now, 0};
    stage.Process(group);
  }
  void Timer() {
    now = std::max(now, stage.NextTimer());
    std::vector<Event> events;
    std::vector<StateEntry> state;
    StageGroup group{events, state, now, 0};
    stage.OnTimer(group);
  }
};

TEST_CASE("local publish: topic expanded, only outputs of rules with a topic") {
  CHECK(ExpandPublishTopic("hmi/{device}/alerts/{rule}", "hot", "pump-1") ==
        "hmi/pump-1/alerts/hot");
  Rig rig;
  Event raw = Output("hot", "d1");
  raw.origin = "plant/d1/telemetry";
  rig.Process({raw, Output("other", "d1")});
  CHECK(rig.publisher == nullptr);  // nothing to publish: no connection made
  rig.Process({Output("hot", "d1")});
  REQUIRE(rig.publisher != nullptr);
  CHECK(rig.publisher->sent().empty());  // waits for the connection
  rig.publisher->SetConnected(true);
  rig.Timer();
  REQUIRE(rig.publisher->sent().size() == 1);
  CHECK(rig.publisher->sent()[0].topic == "hmi/d1/hot");
  CHECK(rig.publisher->sent()[0].payload == R"({"state":"raised"})");
  rig.publisher->CompleteNext(PublishResult::kOk);
  CHECK(rig.metrics.CounterTotal("edgeferry_rules_local_published_total") == 1);
  CHECK(rig.stage.NextTimer() == Stage::kNoTimer);
}

TEST_CASE("local publish: a message lost before the ack is sent again on the timer") {
  Rig rig;
  rig.Process({Output("hot", "d1")});
  rig.publisher->SetConnected(true);
  rig.Timer();
  rig.publisher->CompleteNext(PublishResult::kRetry);
  CHECK(rig.stage.NextTimer() != Stage::kNoTimer);
  rig.Timer();
  REQUIRE(rig.publisher->sent().size() == 2);  // sent, lost before the ack, sent again
  rig.publisher->CompleteNext(PublishResult::kOk);
  CHECK(rig.metrics.CounterTotal("edgeferry_rules_local_published_total") == 1);
  CHECK(rig.metrics.CounterTotal("edgeferry_rules_local_publish_failed_total") == 0);
}

}  // namespace
}  // namespace ef::daemon
