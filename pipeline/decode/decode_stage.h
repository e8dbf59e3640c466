// DecodeStage: the first pipeline stage. It turns each message of a source that has a
// DecodeSpec (core/decode_spec.h) into typed fields and an event time:
//
// - topic_template: "{device}" sets Event::device_id, every other named level becomes a
//   string field of that name (before the payload's fields).
// - data_format json / json_array / value: the payload's fields (pipeline/decode/
//   payload_decoder.h) are added; the time field, when present, sets event_time_ms and
//   Event::time_from_payload, else the arrival time stays. A json_array message becomes one
//   event per sample (in order); those events carry no payload copy (their fields are it),
//   a message with one sample keeps its payload.
// - raw: only the topic template applies.
//
// A message that cannot be decoded (see PayloadDecoder for the reasons) or whose topic does
// not fit the template is refused: it goes to the dead letters (StageGroup::dead_letters)
// with its reason, counted in edgeferry_decode_failures_total{source,reason}. Events of
// sources without a spec (Modbus, raw MQTT without a template) pass unchanged.
//
// Keeps no state. Thread-safety: a Stage (the pipeline thread only).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/decode_spec.h"
#include "core/metrics.h"
#include "core/stage.h"
#include "pipeline/decode/payload_decoder.h"
#include "core/topic_template.h"

namespace ef::pipeline {

// One source's decoding: Event::source names it.
struct SourceDecoding {
  std::string source;
  DecodeSpec spec;
};

class DecodeStage final : public Stage {
 public:
  // Fails on a topic template that does not parse (the config check reports it earlier).
  static Result<std::unique_ptr<DecodeStage>> Create(std::vector<SourceDecoding> sources,
                                                     MetricsRegistry& metrics);
  // True when `spec` asks for any decoding (a stage is worth building for it).
  static bool Decodes(const DecodeSpec& spec);

  const std::string& name() const override { return name_; }
  Status Restore(std::span<const StateEntry>) override { return Status::Ok(); }
  void Process(StageGroup& group) override;

 private:
  struct Entry {
    std::string source;
    TopicTemplate topic;
    std::unique_ptr<PayloadDecoder> decoder;  // null for raw
  };
  explicit DecodeStage(MetricsRegistry& metrics);
  Entry* Find(const std::string& source);
  // Appends what `event` becomes to out_, or a dead letter to `group`.
  void DecodeOne(Entry& entry, Event& event, StageGroup& group);
  bool ApplyTopic(const Entry& entry, Event& event, std::vector<Field>* topic_fields);
  void Refuse(const Entry& entry, Event& event, std::string_view code, std::string reason,
              StageGroup& group);

  const std::string name_ = "decode";
  std::vector<Entry> entries_;
  Counter& FailureCounter(const std::string& source, std::string_view code);

  MetricsRegistry& metrics_;
  std::map<std::string, Counter*, std::less<>> failures_;  // "<source>\0<code>" -> counter
  std::vector<Event> out_;  // reused between groups
  std::vector<Sample> samples_;
  std::vector<TopicTemplate::Capture> captures_;
};

}  // namespace ef::pipeline
