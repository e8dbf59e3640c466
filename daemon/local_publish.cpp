#include "daemon/local_publish.h"

#include <chrono>
#include <variant>

#include "connectors/mqtt/mqtt_config.h"
#include "uplink/mqtt_publisher.h"
#include "uplink/uplink_config.h"

namespace ef::daemon {
namespace {

constexpr std::string_view kComponent = "rules";
constexpr std::string_view kRuleOrigin = "rule/";
constexpr size_t kMaxWaiting = 10000;
constexpr auto kRetryEvery = std::chrono::milliseconds(250);

void ReplaceAll(std::string& text, std::string_view what, std::string_view with) {
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
}

}  // namespace

std::string ExpandPublishTopic(std::string_view templ, std::string_view rule,
                               std::string_view device) {
  std::string topic(templ);
  ReplaceAll(topic, "{rule}", rule);
  ReplaceAll(topic, "{device}", device);
  return topic;
}

LocalPublishStage::LocalPublishStage(TopicOf topic_of, MakePublisher make_publisher,
                                     Logger& log, MetricsRegistry& metrics)
    : topic_of_(std::move(topic_of)),
      make_publisher_(std::move(make_publisher)),
      log_(log),
      published_(metrics.GetCounter("edgeferry_rules_local_published_total",
                                    "Rule outputs the local broker acknowledged")),
      failed_(metrics.GetCounter("edgeferry_rules_local_publish_failed_total",
                                 "Rule outputs that could not be published locally")) {}

LocalPublishStage::~LocalPublishStage() {
  if (publisher_) publisher_->Stop();
}

Status LocalPublishStage::Restore(std::span<const StateEntry> state) {
  (void)state;  // nothing to restore: publishing is best effort
  return Status::Ok();
}

Publisher* LocalPublishStage::Ensure() {
  if (publisher_ || unavailable_) return publisher_.get();
  publisher_ = make_publisher_();
  Status started = publisher_ ? publisher_->Start()
                              : Status::NotFound("no [[sources.mqtt]] names a local broker");
  if (!started.ok()) {
    log_.Warning(kComponent, "rule outputs with a `publish` topic are not published locally: " +
                                 started.message());
    publisher_.reset();
    unavailable_ = true;
  }
  return publisher_.get();
}

void LocalPublishStage::Wait(OutgoingMessage message) {
  std::lock_guard lock(mu_);
  if (waiting_.size() >= kMaxWaiting) {
    waiting_.pop_front();
    failed_.Add();
  }
  waiting_.push_back(std::move(message));
  has_waiting_.store(true);
}

void LocalPublishStage::Send(OutgoingMessage message) {
  Publisher* publisher = Ensure();
  if (publisher == nullptr) {
    failed_.Add();
    return;
  }
  if (!publisher->Connected()) {
    Wait(std::move(message));
    return;
  }
  auto copy = std::make_shared<OutgoingMessage>(message);
  publisher->Publish(message, [this, copy](PublishResult result) {
    if (result == PublishResult::kOk) {
      published_.Add();
    } else if (result == PublishResult::kDrop) {
      failed_.Add();
    } else {
      Wait(std::move(*copy));  // not sent, or the connection was lost before the ack
    }
  });
}

void LocalPublishStage::Flush(Clock::TimePoint now) {
  last_now_ = now;
  if (!has_waiting_.load() || publisher_ == nullptr || !publisher_->Connected()) return;
  std::deque<OutgoingMessage> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(waiting_);
    has_waiting_.store(false);
  }
  for (OutgoingMessage& message : batch) Send(std::move(message));
}

void LocalPublishStage::Process(StageGroup& group) {
  Flush(group.now);
  for (const Event& event : group.events) {
    if (!event.origin.starts_with(kRuleOrigin)) continue;
    const std::string_view rule = std::string_view(event.origin).substr(kRuleOrigin.size());
    const std::string* templ = topic_of_(rule);
    if (templ == nullptr) continue;
    Send({ExpandPublishTopic(*templ, rule, event.device_id), event.payload, 1, {}});
  }
}

Clock::TimePoint LocalPublishStage::NextTimer() const {
  return has_waiting_.load() ? last_now_ + kRetryEvery : kNoTimer;
}

void LocalPublishStage::OnTimer(StageGroup& group) {
  Flush(group.now);
  last_now_ = group.now;  // the next retry is kRetryEvery from now, whatever Flush did
}

std::unique_ptr<Publisher> MakeLocalPublisher(const DaemonConfig& config, const Clock& clock,
                                              Logger& log) {
  for (const connectors::SourceConfig& source : config.sources) {
    const auto* mqtt = std::get_if<connectors::MqttSourceConfig>(&source);
    if (mqtt == nullptr) continue;
    uplink::UplinkConfig local;
    local.uri = mqtt->uri;
    local.client_id = mqtt->client_id + "-rules";
    local.username = mqtt->username;
    local.password = mqtt->password;
    local.status_topic = "";
    local.qos = 1;
    local.keepalive_s = mqtt->keepalive_s;
    uplink::ApplyUplinkProfile(local, config.gateway.id);
    return std::make_unique<uplink::MqttPublisher>(local, config.gateway.id, clock, log);
  }
  return nullptr;
}

}  // namespace ef::daemon
