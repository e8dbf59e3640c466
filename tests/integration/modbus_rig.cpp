#include "tests/integration/modbus_rig.h"

#include "connectors/source_kinds.h"

namespace ef::testkit {

std::optional<connectors::modbus::ModbusSourceConfig> ModbusSourceFromToml(
    const std::string& toml, std::string* error) {
  ConfigErrors errors("test.toml");
  const ConfigNode root = ParseConfigText(toml, errors);
  std::vector<connectors::SourceConfig> sources;
  if (const ConfigNode* node = root.Find("sources"); node != nullptr) {
    connectors::BindSources(*node, sources, errors);
  }
  for (const std::string& line : errors.lines()) *error += line + "\n";
  if (!errors.empty() || sources.empty()) return std::nullopt;
  return std::get<connectors::modbus::ModbusSourceConfig>(sources.front());
}

bool EventCollector::Push(Event event) {
  {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(event));
  }
  cv_.notify_all();
  return true;
}

bool EventCollector::WaitFor(Deadline deadline,
                             const std::function<bool(const std::vector<Event>&)>& done) {
  std::unique_lock lock(mu_);
  return WaitOnCondition(cv_, lock, deadline, [&] { return done(events_); });
}

std::vector<Event> EventCollector::events() const {
  std::lock_guard lock(mu_);
  return events_;
}

std::vector<const Event*> WithField(const std::vector<Event>& events, const std::string& name) {
  std::vector<const Event*> out;
  for (const Event& e : events) {
    if (!e.fields.empty() && e.fields.front().name == name) out.push_back(&e);
  }
  return out;
}

RunningModbusSource::RunningModbusSource(const connectors::modbus::ModbusSourceConfig& config)
    : source_(config, clock_, log_, metrics_) {
  (void)source_.Start(sink_);
}

RunningModbusSource::~RunningModbusSource() { source_.Stop(); }

}  // namespace ef::testkit
