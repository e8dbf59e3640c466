#include "pipeline/decode/decode_stage.h"

namespace ef::pipeline {

bool DecodeStage::Decodes(const DecodeSpec& spec) {
  return spec.format != DataFormat::kRaw || !spec.topic_template.empty();
}

DecodeStage::DecodeStage(MetricsRegistry& metrics) : metrics_(metrics) {}

Result<std::unique_ptr<DecodeStage>> DecodeStage::Create(std::vector<SourceDecoding> sources,
                                                         MetricsRegistry& metrics) {
  std::unique_ptr<DecodeStage> stage(new DecodeStage(metrics));
  for (SourceDecoding& s : sources) {
    auto topic = TopicTemplate::Parse(s.spec.topic_template);
    if (!topic.ok()) return topic.status().WithContext("source '" + s.source + "': ");
    std::unique_ptr<PayloadDecoder> decoder;
    if (s.spec.format != DataFormat::kRaw) {
      decoder = std::make_unique<PayloadDecoder>(std::move(s.spec));
    }
    stage->entries_.push_back({std::move(s.source), std::move(topic.value()), std::move(decoder)});
  }
  return stage;
}

DecodeStage::Entry* DecodeStage::Find(const std::string& source) {
  for (Entry& e : entries_) {
    if (e.source == source) return &e;
  }
  return nullptr;
}

Counter& DecodeStage::FailureCounter(const std::string& source, std::string_view code) {
  std::string key = source;
  key += '\0';
  key += code;
  auto it = failures_.find(key);
  if (it != failures_.end()) return *it->second;
  Counter& c = metrics_.GetCounter("edgeferry_decode_failures_total",
                                   "Messages refused by the decoder (dead-lettered).",
                                   {{"source", source}, {"reason", std::string(code)}});
  failures_.emplace(std::move(key), &c);
  return c;
}

void DecodeStage::Refuse(const Entry& entry, Event& event, std::string_view code,
                         std::string reason, StageGroup& group) {
  FailureCounter(entry.source, code).Add();
  if (group.dead_letters == nullptr) {
    event.quality = Quality::kBad;
    out_.push_back(std::move(event));
    return;
  }
  group.dead_letters->push_back({std::move(event), "decode: " + std::move(reason)});
}

bool DecodeStage::ApplyTopic(const Entry& entry, Event& event, std::vector<Field>* fields) {
  fields->clear();
  if (entry.topic.empty()) return true;
  if (!entry.topic.Match(event.origin, &captures_)) return false;
  for (const auto& [name, value] : captures_) {
    if (name == "device") {
      event.device_id.assign(value);
    } else {
      fields->push_back({std::string(name), std::string(value)});
    }
  }
  return true;
}

void DecodeStage::DecodeOne(Entry& entry, Event& event, StageGroup& group) {
  std::vector<Field> topic_fields;
  if (!ApplyTopic(entry, event, &topic_fields)) {
    Refuse(entry, event, "topic_mismatch",
           "topic '" + event.origin + "' does not fit topic_template '" + entry.topic.text() +
               "'",
           group);
    return;
  }
  if (entry.decoder == nullptr) {  // raw: only the topic's names
    for (Field& f : topic_fields) event.fields.push_back(std::move(f));
    out_.push_back(std::move(event));
    return;
  }
  DecodeError error;
  if (!entry.decoder->Decode(event.payload, event.payload.capacity(), &samples_, &error)) {
    Refuse(entry, event, error.code, std::move(error.detail), group);
    return;
  }
  event.format = PayloadFormat::kJson;  // it parsed
  const bool split = samples_.size() > 1;
  if (split) event.payload.clear();
  for (size_t i = 0; i < samples_.size(); ++i) {
    Sample& sample = samples_[i];
    Event e;
    if (i + 1 == samples_.size()) {
      e = std::move(event);  // the last sample takes the message's event itself
    } else {
      e = event;
    }
    e.fields = topic_fields;
    for (Field& f : sample.fields) e.fields.push_back(std::move(f));
    if (sample.has_time) {
      e.event_time_ms = sample.time_ms;
      e.time_from_payload = true;
    }
    out_.push_back(std::move(e));
  }
}

void DecodeStage::Process(StageGroup& group) {
  out_.clear();
  out_.reserve(group.events.size());
  Entry* entry = nullptr;
  for (Event& event : group.events) {
    if (entry == nullptr || entry->source != event.source) entry = Find(event.source);
    if (entry == nullptr) {
      out_.push_back(std::move(event));
    } else {
      DecodeOne(*entry, event, group);
    }
  }
  group.events.swap(out_);
  out_.clear();
}

}  // namespace ef::pipeline
