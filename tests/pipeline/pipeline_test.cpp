// The pipeline commits everything received before it stops, keeps a group it could not
// commit instead of dropping it, and runs its stages between hand-off and commit: their
// outputs and their state go into the same transaction, their state comes back after a
// restart, and their timers fire on the (manual) clock.
#include <doctest/doctest.h>

#include "core/log.h"
#include "pipeline/pipeline.h"
#include "storage/mem_store.h"
#include "tests/fakes/manual_clock.h"
#include "tests/fakes/stuck_store.h"
#include "tests/fakes/wait.h"
#include "tests/storage/store_fixture.h"

namespace ef::pipeline {
namespace {

using namespace std::chrono_literals;

Event Numbered(int i, std::string stream = "telemetry") {
  Event e;
  e.stream = std::move(stream);
  e.device_id = "dev";
  e.payload = std::to_string(i);
  return e;
}

std::vector<Event> Read(Store& store, const std::string& stream) {
  std::vector<Event> events;
  REQUIRE(store.ReadAfter(stream, 0, 100000, &events).ok());
  return events;
}

std::string StateOf(Store& store, const std::string& key) {
  std::vector<StateEntry> state;
  REQUIRE(store.ReadState(key, &state).ok());
  return state.empty() ? std::string() : state.front().value;
}

// A test stage: per group, one event on stream "counts" whose payload is the group's size,
// and the running total of events seen as its state "total". Every second (monotonic) after
// its first group it emits an event on stream "ticks".
class CountingStage final : public Stage {
 public:
  const std::string& name() const override { return name_; }
  Status Restore(std::span<const StateEntry> state) override {
    for (const StateEntry& entry : state) {
      if (entry.key == "total") total_ = std::stoull(entry.value);
    }
    return Status::Ok();
  }
  void Process(StageGroup& group) override {
    total_ += group.events.size();
    Event count = Numbered(static_cast<int>(group.events.size()), "counts");
    group.events.push_back(std::move(count));
    group.state.push_back({"total", std::to_string(total_)});
    if (next_tick_ == kNoTimer) next_tick_ = group.now + 1s;
  }
  Clock::TimePoint NextTimer() const override { return next_tick_; }
  void OnTimer(StageGroup& group) override {
    group.events.push_back(Numbered(0, "ticks"));
    next_tick_ = group.now + 1s;
  }
  uint64_t total() const { return total_; }

 private:
  std::string name_ = "counter";
  uint64_t total_ = 0;
  Clock::TimePoint next_tick_ = kNoTimer;
};

struct Rig {
  testing::ManualClock clock;
  Logger log{LogLevel::kError};
  MetricsRegistry metrics;
  WakeRelay committed;

  std::unique_ptr<Pipeline> Make(Store& store, std::unique_ptr<Stage> stage = nullptr,
                                 PipelineOptions options = {}) {
    std::vector<std::unique_ptr<Stage>> stages;
    if (stage) stages.push_back(std::move(stage));
    return std::make_unique<Pipeline>(store, clock, log, metrics, committed, options,
                                      std::move(stages));
  }
};

TEST_CASE("clean shutdown commits every event that was handed over") {
  Rig rig;
  storage::MemStore store;
  auto pipeline = rig.Make(store);
  REQUIRE(pipeline->Start().ok());
  for (int i = 0; i < 5000; ++i) REQUIRE(pipeline->sink().Push(Numbered(i)));
  pipeline->Stop();
  CHECK(rig.metrics.CounterTotal("edgeferry_events_committed_total") == 5000);
  const std::vector<Event> stored = Read(store, "telemetry");
  REQUIRE(stored.size() == 5000);
  for (int i = 0; i < 5000; ++i) CHECK(stored[static_cast<size_t>(i)].payload == std::to_string(i));
  CHECK_FALSE(pipeline->sink().Push(Numbered(0)));  // closed: refused, not lost
}

TEST_CASE("a failed commit is retried with the same events, in order") {
  Rig rig;
  storage::MemStore store;
  store.FailNextInserts(3);
  auto pipeline = rig.Make(store);
  REQUIRE(pipeline->Start().ok());
  for (int i = 0; i < 10; ++i) REQUIRE(pipeline->sink().Push(Numbered(i)));
  pipeline->Stop();
  CHECK(rig.metrics.CounterTotal("edgeferry_commit_failures_total") == 3);
  CHECK(rig.metrics.CounterTotal("edgeferry_events_committed_total") == 10);
  const std::vector<Event> stored = Read(store, "telemetry");
  REQUIRE(stored.size() == 10);
  CHECK(stored.front().payload == "0");
  CHECK(stored.back().payload == "9");
}

TEST_CASE("every commit wakes whatever is attached to the relay") {
  Rig rig;
  storage::MemStore store;
  std::atomic<int> wakes{0};
  rig.committed.Attach([&] { ++wakes; });
  auto pipeline = rig.Make(store);
  REQUIRE(pipeline->Start().ok());
  REQUIRE(pipeline->sink().Push(Numbered(1)));
  CHECK(testing::WaitUntil([&] { return wakes.load() >= 1; }));
  rig.committed.Detach();
  pipeline->Stop();
}

TEST_CASE("a stage's outputs and its state are committed in one group, or neither") {
  Rig rig;
  storage::MemStore store;
  store.FailNextInserts(2);  // the first two tries of the first group fail
  auto pipeline = rig.Make(store, std::make_unique<CountingStage>());
  REQUIRE(pipeline->Start().ok());
  for (int i = 0; i < 7; ++i) REQUIRE(pipeline->sink().Push(Numbered(i)));
  pipeline->Stop();
  CHECK(Read(store, "telemetry").size() == 7);
  uint64_t counted = 0;
  for (const Event& e : Read(store, "counts")) counted += std::stoull(e.payload);
  CHECK(counted == 7);  // the retried group was not counted twice
  CHECK(StateOf(store, "counter/total") == "7");
  CHECK(rig.metrics.CounterTotal("edgeferry_stage_events_in_total") == 7);
}

TEST_CASE("a stage's state comes back after the store is reopened") {
  storage::SqliteFixture dir;
  Rig rig;
  {
    auto store = dir.Open();
    auto pipeline = rig.Make(*store, std::make_unique<CountingStage>());
    REQUIRE(pipeline->Start().ok());
    for (int i = 0; i < 12; ++i) REQUIRE(pipeline->sink().Push(Numbered(i)));
    pipeline->Stop();
  }
  auto store = dir.Open();
  auto stage = std::make_unique<CountingStage>();
  CountingStage& counter = *stage;
  auto pipeline = rig.Make(*store, std::move(stage));
  REQUIRE(pipeline->Start().ok());
  CHECK(counter.total() == 12);
  REQUIRE(pipeline->sink().Push(Numbered(12)));
  pipeline->Stop();
  CHECK(StateOf(*store, "counter/total") == "13");
}

TEST_CASE("a stage's timer fires when the clock reaches it, without new input") {
  Rig rig;
  storage::MemStore store;
  auto pipeline = rig.Make(store, std::make_unique<CountingStage>());
  REQUIRE(pipeline->Start().ok());
  REQUIRE(pipeline->sink().Push(Numbered(1)));
  REQUIRE(testing::WaitUntil([&] { return Read(store, "counts").size() == 1; }));
  CHECK(Read(store, "ticks").empty());
  rig.clock.Advance(999ms);
  rig.clock.Advance(1ms);
  CHECK(testing::WaitUntil([&] { return Read(store, "ticks").size() == 1; }));
  rig.clock.Advance(1s);
  CHECK(testing::WaitUntil([&] { return Read(store, "ticks").size() == 2; }));
  pipeline->Stop();
}

TEST_CASE("the TTL sweep runs in the pipeline, with no uplink at all") {
  Rig rig;
  storage::StorePolicy policy;
  policy.defaults.ttl_ms = 60'000;
  storage::MemStore store(policy);
  auto pipeline = rig.Make(store);
  REQUIRE(pipeline->Start().ok());
  Event old = Numbered(1);
  old.ingest_time_ms = rig.clock.WallMillis();
  REQUIRE(pipeline->sink().Push(old));
  // The committed count, not the stored event: the pipeline dates its commit after the store
  // has it, and the clock must not move before (see the next test).
  REQUIRE(testing::WaitUntil(
      [&] { return rig.metrics.CounterTotal("edgeferry_events_committed_total") == 1; }));
  rig.clock.Advance(61s);
  CHECK(testing::WaitUntil([&] { return Read(store, "telemetry").empty(); }));
  auto stats = store.Stats();
  REQUIRE(stats.ok());
  REQUIRE(stats->streams.size() == 1);
  CHECK(stats->streams[0].counters.expired == 1);
  pipeline->Stop();
}

TEST_CASE("while a group waits on a backpressure bound, the TTL sweep goes on and makes room") {
  Rig rig;
  storage::StorePolicy policy = storage::OneStream(storage::Overflow::kBackpressure, 3 * 60);
  policy.streams[0].ttl_ms = 60'000;
  storage::MemStore store(policy);
  auto pipeline = rig.Make(store);
  REQUIRE(pipeline->Start().ok());
  auto stamped = [&](int i) {
    Event e = Numbered(i);
    e.ingest_time_ms = rig.clock.WallMillis();
    return e;
  };
  for (int i = 0; i < 3; ++i) REQUIRE(pipeline->sink().Push(stamped(i)));
  REQUIRE(testing::WaitUntil([&] { return Read(store, "telemetry").size() == 3; }));
  REQUIRE(pipeline->sink().Push(stamped(3)));  // over the bound: refused, kept, retried
  REQUIRE(testing::WaitUntil(
      [&] { return rig.metrics.CounterTotal("edgeferry_commit_failures_total") > 0; }));
  rig.clock.Advance(61s);  // the first three are now older than the TTL
  CHECK(testing::WaitUntil([&] {
    const std::vector<Event> left = Read(store, "telemetry");
    return left.size() == 1 && left[0].payload == "3";
  }));
  pipeline->Stop();
}

TEST_CASE("events received while the wall clock is not synchronised are marked so") {
  Rig rig;
  storage::MemStore store;
  testing::FakeClockSync sync(false);
  PipelineOptions options;
  options.clock_sync = &sync;
  auto pipeline = rig.Make(store, nullptr, options);
  REQUIRE(pipeline->Start().ok());
  REQUIRE(pipeline->sink().Push(Numbered(0)));
  REQUIRE(testing::WaitUntil([&] { return Read(store, "telemetry").size() == 1; }));
  sync.Set(true);
  REQUIRE(pipeline->sink().Push(Numbered(1)));
  pipeline->Stop();
  const std::vector<Event> stored = Read(store, "telemetry");
  REQUIRE(stored.size() == 2);
  CHECK(stored[0].clock_unsynced);
  CHECK_FALSE(stored[1].clock_unsynced);
}

TEST_CASE("a TTL counts from the commit on the monotonic clock, whatever the wall clock does") {
  Rig rig;
  storage::StorePolicy policy;
  policy.defaults.ttl_ms = 60'000;
  storage::MemStore store(policy);
  auto pipeline = rig.Make(store);
  REQUIRE(pipeline->Start().ok());
  // Waiting for the committed count, not for the stored event: the pipeline dates its commit
  // after the store has it, and the clock must not move before (under qemu-user, slow enough
  // for the test to win that race, the first commit was dated +59 s).
  const auto committed = [&](uint64_t n) {
    return testing::WaitUntil(
        [&] { return rig.metrics.CounterTotal("edgeferry_events_committed_total") == n; });
  };
  REQUIRE(pipeline->sink().Push(Numbered(0)));
  REQUIRE(committed(1));
  rig.clock.StepWall(7 * 24h);
  rig.clock.Advance(59s);
  REQUIRE(pipeline->sink().Push(Numbered(1)));  // its iteration sweeps first, at +59 s
  REQUIRE(committed(2));
  rig.clock.StepWall(-7 * 24h - 1h);
  rig.clock.Advance(2s);  // a minute after the first commit
  CHECK(testing::WaitUntil([&] { return Read(store, "telemetry").size() == 1; }));
  CHECK(Read(store, "telemetry").front().payload == "1");
  pipeline->Stop();
}

TEST_CASE("the alive heartbeat stops while a commit is stuck, not while a bound refuses it") {
  Rig rig;
  Heartbeat alive;
  PipelineOptions options;
  options.alive = &alive;
  SUBCASE("a commit stuck for good: the thread stops turning") {
    testing::StuckStore store;
    store.Block();
    auto pipeline = rig.Make(store, nullptr, options);
    REQUIRE(pipeline->Start().ok());
    REQUIRE(pipeline->sink().Push(Numbered(0)));
    REQUIRE(testing::WaitUntil([&] { return store.Blocking(); }));
    rig.clock.Advance(10s);
    CHECK(alive.Age(rig.clock.Now()) >= 10s);
    store.Release();
    REQUIRE(testing::WaitUntil([&] { return Read(store, "telemetry").size() == 1; }));
    CHECK(testing::WaitUntil([&] { return alive.Age(rig.clock.Now()) < 10s; }));
    pipeline->Stop();
  }
  SUBCASE("a backpressure bound refusing the group: the thread turns, retrying") {
    storage::MemStore store(storage::OneStream(storage::Overflow::kBackpressure, 60));
    options.shutdown_retry = std::chrono::milliseconds(0);  // Stop() gives the group up
    auto pipeline = rig.Make(store, nullptr, options);
    REQUIRE(pipeline->Start().ok());
    for (int i = 0; i < 2; ++i) REQUIRE(pipeline->sink().Push(Numbered(i)));
    REQUIRE(testing::WaitUntil(
        [&] { return rig.metrics.CounterTotal("edgeferry_commit_failures_total") > 0; }));
    rig.clock.Advance(10s);
    CHECK(testing::WaitUntil([&] { return alive.Age(rig.clock.Now()) < 1s; }));
    pipeline->Stop();
  }
}

// A source that only records what the governor asked of it.
class PausableSource final : public Source {
 public:
  const std::string& name() const override { return name_; }
  Status Start(EventSink&) override { return Status::Ok(); }
  void Stop() override {}
  bool Ready() const override { return true; }
  void Pause() override { paused = true; }
  void Resume() override { paused = false; }
  bool paused = false;

 private:
  std::string name_ = "pausable";
};

TEST_CASE("backpressure pauses the sources at capacity and resumes them at half") {
  Rig rig;
  storage::MemStore store;
  PipelineOptions options;
  options.memory_events = 10;
  auto pipeline = rig.Make(store, nullptr, options);  // not started: nothing drains
  PausableSource source;
  Source* sources[] = {&source};
  for (int i = 0; i < 9; ++i) REQUIRE(pipeline->sink().Push(Numbered(i)));
  pipeline->Govern(sources);
  CHECK_FALSE(source.paused);
  REQUIRE(pipeline->sink().Push(Numbered(9)));
  pipeline->Govern(sources);
  CHECK(source.paused);
  REQUIRE(pipeline->Start().ok());
  pipeline->Stop();
  pipeline->Govern(sources);
  CHECK_FALSE(source.paused);
}

}  // namespace
}  // namespace ef::pipeline
