#include "connectors/modbus/modbus_poller.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/json.h"

namespace ef::connectors::modbus {
namespace {

constexpr char kComponent[] = "modbus-source";

// At least 3.5 character times of silence between frames (Modbus over serial line v1.02,
// 2.5.1.1): 11 bits per character, a fixed 1.75 ms above 19200 baud.
Clock::Duration FrameDelay(const ModbusSourceConfig& config) {
  if (!config.serial()) return Clock::Duration::zero();
  const auto t35 = config.baud > 19200
                       ? std::chrono::microseconds(1750)
                       : std::chrono::microseconds(3'500'000 * 11 / std::max<int64_t>(config.baud, 1));
  return std::max<Clock::Duration>(t35, std::chrono::milliseconds(config.frame_delay_ms));
}

std::string PointPayload(const PointConfig& p) {
  std::string out = "{\"slave\":" + std::to_string(p.slave) + ",\"register\":";
  AppendJsonString(out, NameOf(kRegisterKinds, p.kind));
  out += ",\"address\":" + std::to_string(p.address);
  if (!p.unit.empty()) {
    out += ",\"unit\":";
    AppendJsonString(out, p.unit);
  }
  return out + "}";
}

Quality QualityOf(const Value& value) {
  const auto* d = std::get_if<double>(&value);
  return d != nullptr && !std::isfinite(*d) ? Quality::kUncertain : Quality::kGood;
}

std::string_view ChangeName(DeviceHealth::Change change) {
  switch (change) {
    case DeviceHealth::Change::kWentDown: return "down";
    case DeviceHealth::Change::kCameBack: return "up";
    case DeviceHealth::Change::kBreakerOpened: return "breaker_open";
    case DeviceHealth::Change::kNone: break;
  }
  return "";
}

}  // namespace

struct ModbusPoller::Group {
  Clock::Duration timeout;
  int64_t retries = 0;
  PollSchedule schedule;
  std::vector<PlannedPoint> planned;
  std::vector<size_t> members;  // planned[i] is points_[members[i]]
  std::vector<ReadBlock> blocks;
};

ModbusPoller::ModbusPoller(const ModbusSourceConfig& config, std::vector<PointConfig> points,
                           std::unique_ptr<ModbusBus> bus, const Clock& clock, Logger& log,
                           PollerCounters counters, Emit emit, Wait wait)
    : config_(config), bus_(std::move(bus)), clock_(clock), log_(log), counters_(counters),
      emit_(std::move(emit)), wait_(std::move(wait)), frame_delay_(FrameDelay(config)) {
  const HealthPolicy health{std::chrono::milliseconds(config.backoff_min_ms),
                            std::chrono::milliseconds(config.backoff_max_ms),
                            static_cast<uint32_t>(config.breaker_failures),
                            std::chrono::milliseconds(config.breaker_open_ms)};
  std::vector<PollGroupConfig> group_configs = config.groups;
  group_configs.insert(group_configs.begin(), PollGroupConfig{"", config.interval_ms,
                                                              config.timeout_ms, config.retries,
                                                              config.report});
  const CoalesceLimits limits{static_cast<uint32_t>(config.max_gap),
                              static_cast<uint32_t>(config.max_registers),
                              static_cast<uint32_t>(config.max_bits)};
  const Clock::TimePoint start = clock_.Now();
  for (const PollGroupConfig& gc : group_configs) {
    auto group = std::make_unique<Group>(Group{std::chrono::milliseconds(gc.timeout_ms),
                                               gc.retries,
                                               PollSchedule(std::chrono::milliseconds(gc.interval_ms),
                                                            start),
                                               {}, {}, {}});
    for (const PointConfig& p : points) {
      if (p.group != gc.name) continue;
      group->members.push_back(points_.size());
      group->planned.push_back(PlannedPoint{static_cast<int>(p.slave), p.kind,
                                            static_cast<uint32_t>(p.address),
                                            RegisterCount(p.encoding())});
      const std::string origin = config.name + "/" + std::to_string(p.slave) + "/" +
                                 std::string(NameOf(kRegisterKinds, p.kind)) + "/" +
                                 std::to_string(p.address);
      points_.push_back(Point{p, p.encoding(), ReportFilter(p.report), origin, PointPayload(p)});
      health_.try_emplace(static_cast<int>(p.slave), health,
                          static_cast<uint64_t>(p.slave) * 7919 + points_.size());
    }
    if (group->members.empty()) continue;
    group->blocks = PlanReads(group->planned, limits);
    groups_.push_back(std::move(group));
  }
}

ModbusPoller::~ModbusPoller() = default;

size_t ModbusPoller::planned_requests(size_t group) const {
  return group < groups_.size() ? groups_[group]->blocks.size() : 0;
}

Clock::TimePoint ModbusPoller::RunDue() {
  Clock::TimePoint next = Clock::TimePoint::max();
  for (auto& group : groups_) {
    if (group->schedule.Due(clock_.Now())) {
      PollGroup(*group, clock_.Now());
      const uint64_t before = group->schedule.overruns();
      group->schedule.Done(clock_.Now());
      counters_.overruns->Add(group->schedule.overruns() - before);
    }
    next = std::min(next, group->schedule.next());
  }
  return next;
}

void ModbusPoller::PollGroup(Group& group, Clock::TimePoint now) {
  const int64_t poll_ms = clock_.WallMillis();
  if (!bus_->connected()) {
    const bool anyone_due = std::any_of(group.blocks.begin(), group.blocks.end(),
                                        [&](const ReadBlock& b) {
                                          return health_.at(b.slave).ShouldPoll(now);
                                        });
    if (!anyone_due) return;
    const Status status = bus_->Connect();
    if (!status.ok()) return FailSlaves(group, now, status.message());
  }
  for (size_t first = 0; first < group.blocks.size();) {
    const int slave = group.blocks[first].slave;
    size_t last = first;
    while (last < group.blocks.size() && group.blocks[last].slave == slave) ++last;
    DeviceHealth& health = health_.at(slave);
    if (!health.ShouldPoll(now)) {
      counters_.skipped_slaves->Add();
    } else {
      std::string why;
      const bool ok = PollSlave(group, first, last, poll_ms, &why);
      ReportHealth(slave, ok ? health.OnSuccess() : health.OnFailure(clock_.Now()), why);
    }
    first = last;
  }
}

void ModbusPoller::FailSlaves(const Group& group, Clock::TimePoint now, const std::string& why) {
  std::set<int> slaves;
  for (const ReadBlock& block : group.blocks) slaves.insert(block.slave);
  for (int slave : slaves) {
    DeviceHealth& health = health_.at(slave);
    if (health.ShouldPoll(now)) ReportHealth(slave, health.OnFailure(now), why);
  }
}

bool ModbusPoller::PollSlave(Group& group, size_t first, size_t& last, int64_t poll_ms,
                             std::string* why) {
  for (size_t k = first; k < last;) {
    const BusRead read = ReadWithRetries(group, group.blocks[k]);
    if (read.error == BusError::kIllegalAddress && SplitBlock(group.blocks, k, group.planned)) {
      ++last;  // read the two halves instead, now and from now on
      log_.Info(kComponent, config_.name + ": slave " + std::to_string(group.blocks[k].slave) +
                                " refused a coalesced read; it is split from now on");
      continue;
    }
    if (!read.ok()) {
      *why = read.message;
      for (size_t i : group.blocks[k].points) points_[group.members[i]].filter.Reset();
      return false;
    }
    EmitBlock(group, group.blocks[k], read, poll_ms, clock_.Now());
    ++k;
  }
  return true;
}

BusRead ModbusPoller::ReadWithRetries(const Group& group, const ReadBlock& block) {
  BusRead read;
  const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(group.timeout);
  // A serial line is shared: retrying a silent slave at once would delay every other slave,
  // so there the next cycle is the retry and a dead slave costs one timeout per cycle.
  const int64_t retries = config_.serial() ? 0 : group.retries;
  for (int64_t attempt = 0; attempt <= retries; ++attempt) {
    if (sent_ && frame_delay_ > Clock::Duration::zero() && !wait_(frame_delay_)) {
      return {BusError::kConnection, "stopping", {}};
    }
    if (!bus_->connected()) {  // closed by the previous try (see ModbusBus::Read)
      if (const Status status = bus_->Connect(); !status.ok()) {
        return {BusError::kConnection, status.message(), {}};
      }
    }
    sent_ = true;
    counters_.requests->Add();
    read = bus_->Read(block.slave, block.kind, block.start, block.count, timeout);
    if (read.ok()) return read;
    counters_.failed_requests->Add();
    if (read.error != BusError::kTimeout) return read;  // only silence is worth a retry
  }
  return read;
}

void ModbusPoller::EmitBlock(const Group& group, const ReadBlock& block, const BusRead& read,
                             int64_t poll_ms, Clock::TimePoint now) {
  for (size_t i : block.points) {
    Point& p = points_[group.members[i]];
    const PlannedPoint& planned = group.planned[i];
    const size_t offset = planned.address - block.start;
    if (offset + planned.count > read.words.size()) continue;
    const auto value = Decode(p.encoding, std::span(read.words).subspan(offset, planned.count));
    if (!value) continue;
    counters_.values->Add();
    if (!p.filter.Offer(*value, now)) continue;
    Event event;
    event.stream = p.config.stream;
    event.device_id = p.config.device;
    event.origin = p.origin;
    event.event_time_ms = poll_ms;
    event.ingest_time_ms = clock_.WallMillis();
    event.quality = QualityOf(*value);
    event.format = PayloadFormat::kJson;
    event.payload = p.payload;
    event.fields.push_back(Field{p.config.name, *value});
    emit_(std::move(event));
  }
}

void ModbusPoller::ReportHealth(int slave, DeviceHealth::Change change, const std::string& why) {
  if (change == DeviceHealth::Change::kNone) return;
  const std::string status(ChangeName(change));
  const std::string who = config_.name + ": slave " + std::to_string(slave) + " (" +
                          bus_->Describe() + ")";
  if (change == DeviceHealth::Change::kCameBack) {
    log_.Info(kComponent, who + " answers again");
  } else {
    log_.Warning(kComponent, who + (change == DeviceHealth::Change::kWentDown
                                        ? " failed: " + why + "; no values until it answers"
                                        : " keeps failing: skipped, probed again later"));
  }
  Event event;
  event.stream = config_.stream;
  event.device_id = config_.device;
  for (const Point& p : points_) {
    if (p.config.slave == slave) {
      event.device_id = p.config.device;
      break;
    }
  }
  event.origin = config_.name + "/" + std::to_string(slave) + "/status";
  event.ingest_time_ms = event.event_time_ms = clock_.WallMillis();
  event.quality = change == DeviceHealth::Change::kCameBack ? Quality::kGood : Quality::kBad;
  event.format = PayloadFormat::kJson;
  event.payload = "{\"slave\":" + std::to_string(slave) + ",\"status\":";
  AppendJsonString(event.payload, status);
  event.fields.push_back(Field{"status", status});
  if (!why.empty()) {
    event.payload += ",\"error\":";
    AppendJsonString(event.payload, why);
    event.fields.push_back(Field{"error", why});
  }
  event.payload += "}";
  emit_(std::move(event));
}

}  // namespace ef::connectors::modbus
