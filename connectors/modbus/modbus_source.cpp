#include "connectors/modbus/modbus_source.h"

#include <algorithm>

namespace ef::connectors::modbus {
namespace {

constexpr char kComponent[] = "modbus-source";

// The points of each poll thread: per slave on TCP, all of them on a serial bus or a shared
// TCP connection.
std::vector<std::vector<PointConfig>> SplitByBus(const ModbusSourceConfig& config) {
  if (config.serial() || config.share_connection) return {config.points};
  std::map<int64_t, std::vector<PointConfig>> by_slave;
  for (const PointConfig& p : config.points) by_slave[p.slave].push_back(p);
  std::vector<std::vector<PointConfig>> out;
  for (auto& [slave, points] : by_slave) out.push_back(std::move(points));
  return out;
}

}  // namespace

ModbusSource::ModbusSource(ModbusSourceConfig config, const Clock& clock, Logger& log,
                           MetricsRegistry& metrics, BusFactory bus_factory)
    : config_(std::move(config)), clock_(clock), log_(log),
      bus_factory_(std::move(bus_factory)),
      received_(metrics.GetCounter("edgeferry_events_received_total",
                                   "Messages a source received.",
                                   {{"source", config_.name}, {"kind", "modbus"}})),
      skipped_(metrics.GetCounter("edgeferry_modbus_values_skipped_total",
                                  "Modbus values replaced by a newer one while ingest was "
                                  "paused by backpressure.",
                                  {{"source", config_.name}})) {
  const MetricLabels labels = {{"source", config_.name}};
  counters_.requests = &metrics.GetCounter("edgeferry_modbus_requests_total",
                                           "Modbus read requests sent (each try).", labels);
  counters_.failed_requests = &metrics.GetCounter(
      "edgeferry_modbus_request_failures_total",
      "Modbus read requests without a usable answer (timeout, exception, lost link).", labels);
  counters_.values = &metrics.GetCounter("edgeferry_modbus_values_read_total",
                                         "Modbus point values read and decoded.", labels);
  counters_.overruns = &metrics.GetCounter(
      "edgeferry_modbus_overruns_total",
      "Modbus poll slots missed because a poll could not keep its interval.", labels);
  counters_.skipped_slaves = &metrics.GetCounter(
      "edgeferry_modbus_slave_polls_skipped_total",
      "Polls of a Modbus slave skipped while it backs off or its breaker is open.", labels);
}

ModbusSource::~ModbusSource() { Stop(); }

Status ModbusSource::Start(EventSink& sink) {
  sink_ = &sink;
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  for (std::vector<PointConfig>& points : SplitByBus(config_)) {
    pollers_.push_back(std::make_unique<ModbusPoller>(
        config_, std::move(points), bus_factory_(config_), clock_, log_, counters_,
        [this](Event e) { Emit(std::move(e)); },
        [this](Clock::Duration d) { return WaitFor(d); }));
  }
  for (auto& poller : pollers_) threads_.emplace_back([this, p = poller.get()] { Run(*p); });
  log_.Info(kComponent, config_.name + ": polling " + std::to_string(config_.points.size()) +
                            " points over " + pollers_.front()->bus().Describe() +
                            (pollers_.size() > 1
                                 ? " (" + std::to_string(pollers_.size()) + " connections)"
                                 : ""));
  return Status::Ok();
}

void ModbusSource::Stop() {
  {
    std::lock_guard lock(mu_);
    if (threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  for (auto& poller : pollers_) poller->Close();
  pollers_.clear();
  first_polls_done_.store(0);
  log_.Info(kComponent, config_.name + ": stopped after " +
                            std::to_string(counters_.requests->value()) + " requests in total");
}

bool ModbusSource::Ready() const {
  return !pollers_.empty() && first_polls_done_.load() >= pollers_.size();
}

void ModbusSource::Pause() {
  std::lock_guard lock(mu_);
  if (paused_) return;
  paused_ = true;
  log_.Warning(kComponent, config_.name + ": the pipeline is behind; polling goes on, keeping "
                                          "only the latest value per point");
}

void ModbusSource::Resume() {
  std::lock_guard lock(mu_);
  if (!paused_) return;
  paused_ = false;
  for (auto& [key, event] : latest_) {
    received_.Add();
    (void)sink_->Push(std::move(event));
  }
  latest_.clear();
  log_.Info(kComponent, config_.name + ": ingest resumed");
}

void ModbusSource::Emit(Event event) {
  std::lock_guard lock(mu_);
  if (paused_) {
    const std::string field = event.fields.empty() ? std::string() : event.fields.front().name;
    auto [it, inserted] = latest_.try_emplace({event.origin, field}, Event{});
    if (!inserted) skipped_.Add();
    it->second = std::move(event);
    return;
  }
  received_.Add();
  if (!sink_->Push(std::move(event))) {
    log_.Error(kComponent, config_.name + ": pipeline closed, value not accepted");
  }
}

bool ModbusSource::WaitFor(Clock::Duration d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [&] { return stopping_; });
}

void ModbusSource::Run(ModbusPoller& poller) {
  bool first = true;
  while (true) {
    const Clock::TimePoint next = poller.RunDue();
    if (first) {
      first = false;
      first_polls_done_.fetch_add(1);
    }
    // Waits on the real time that the clock's schedule asks for; at most a second, so a
    // clock that is not the system's (tests) is looked at again.
    const auto wait = std::clamp<Clock::Duration>(next - clock_.Now(), Clock::Duration::zero(),
                                                  std::chrono::seconds(1));
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, wait, [&] { return stopping_; })) return;
  }
}

}  // namespace ef::connectors::modbus
