// LocalPublishStage: publishes the outputs of rules that have a `publish` topic (alerts for
// actuators and HMIs, window results for a local display) to the local broker, so that they
// are seen on site without the cloud. It runs in the pipeline right after the rules stage and
// sees each group's events: an output of rule R (origin "rule/R") whose rule has
// publish = "plant/{device}/alerts/{rule}" goes to that topic ({rule} and {device} expanded)
// with the output's JSON payload, QoS 1.
//
// The local broker is the one the first [[sources.mqtt]] reads from (its URI and
// credentials), with client id "<that source's client id>-rules". The connection is opened
// on the first output to publish, so a gateway without such rules never makes it.
// A message is handed to the MQTT client when its group is processed (before the group's
// commit). While the broker is unreachable, messages wait in memory (at most 10,000, the
// oldest dropped first) and are sent again every 250 ms until the broker acknowledges them:
// at least once while the daemon runs, lost at a restart (the cloud copy of the same output
// goes through the store as always). Counters: edgeferry_rules_local_published_total,
// edgeferry_rules_local_publish_failed_total (dropped). Choose a topic no source subscribes
// to, or the outputs come back in as input.
//
// Thread-safety: a Stage (core/stage.h): the pipeline thread only; the MQTT client's
// completions (any thread) only touch the waiting queue, under its mutex. Paho stays in
// uplink/.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/publisher.h"
#include "core/stage.h"
#include "daemon/daemon_config.h"

namespace ef::daemon {

class LocalPublishStage final : public Stage {
 public:
  // The topic template of rule `rule`, or null (rules_stage.h PublishTopic).
  using TopicOf = std::function<const std::string*(std::string_view rule)>;
  // A publisher to the local broker, not started; null when there is none.
  using MakePublisher = std::function<std::unique_ptr<Publisher>()>;

  LocalPublishStage(TopicOf topic_of, MakePublisher make_publisher, Logger& log,
                    MetricsRegistry& metrics);
  ~LocalPublishStage() override;

  const std::string& name() const override { return name_; }
  Status Restore(std::span<const StateEntry> state) override;
  void Process(StageGroup& group) override;
  Clock::TimePoint NextTimer() const override;
  void OnTimer(StageGroup& group) override;

 private:
  Publisher* Ensure();
  // Hands `message` to the client when connected, else puts it in the waiting queue.
  void Send(OutgoingMessage message);
  // Moves the waiting messages back to the client (when it is connected).
  void Flush(Clock::TimePoint now);
  void Wait(OutgoingMessage message);

  const std::string name_ = "local_publish";
  TopicOf topic_of_;
  MakePublisher make_publisher_;
  Logger& log_;
  std::unique_ptr<Publisher> publisher_;
  bool unavailable_ = false;  // creating or starting the publisher failed: logged once
  Clock::TimePoint last_now_{};
  std::mutex mu_;
  std::deque<OutgoingMessage> waiting_;  // guarded by mu_
  std::atomic<bool> has_waiting_{false};
  Counter& published_;
  Counter& failed_;
};

// "plant/{device}/alerts/{rule}" with {rule} and {device} replaced.
std::string ExpandPublishTopic(std::string_view templ, std::string_view rule,
                               std::string_view device);

// The publisher to the local broker of `config` (the first MQTT source's broker), not
// started; null when no MQTT source is configured.
std::unique_ptr<Publisher> MakeLocalPublisher(const DaemonConfig& config, const Clock& clock,
                                              Logger& log);

}  // namespace ef::daemon
