#include "tests/support/envelope.h"

#include <simdjson.h>

namespace ef::testkit {

namespace od = simdjson::ondemand;

struct EnvelopeParser::Impl {
  od::parser parser;
};

namespace {

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// The exact bytes of a value of any type, as they appear in the document.
bool RawValueText(od::value value, std::string* out) {
  od::json_type type;
  if (value.type().get(type)) return false;
  std::string_view text;
  if (type == od::json_type::object) {
    od::object object;
    if (value.get_object().get(object) || object.raw_json().get(text)) return false;
  } else if (type == od::json_type::array) {
    od::array array;
    if (value.get_array().get(array) || array.raw_json().get(text)) return false;
  } else {
    text = TrimRight(value.raw_json_token());
  }
  out->assign(text);
  return true;
}

bool ReadString(od::value value, std::string* out) {
  std::string_view text;
  if (value.get_string().get(text)) return false;
  out->assign(text);
  return true;
}

bool ReadInt(od::value value, std::optional<int64_t>* out) {
  int64_t number = 0;
  if (value.get_int64().get(number)) return false;
  *out = number;
  return true;
}

bool ReadField(std::string_view key, od::value value, Envelope* env) {
  if (key == "gateway") return ReadString(value, &env->gateway);
  if (key == "stream") return ReadString(value, &env->stream);
  if (key == "device") return ReadString(value, &env->device);
  if (key == "topic") return ReadString(value, &env->topic);
  if (key == "seq") return ReadInt(value, &env->seq);
  if (key == "time") return ReadInt(value, &env->time_ms);
  if (key == "payload") return RawValueText(value, &env->payload.emplace());
  if (key == "payload_b64") return ReadString(value, &env->payload_b64.emplace());
  if (key == "event_time") return ReadInt(value, &env->event_time_ms);
  if (key == "quality") return ReadString(value, &env->quality.emplace());
  if (key == "fields") return RawValueText(value, &env->fields.emplace());
  return true;  // unknown keys are skipped by the object iterator
}

bool ReadHeaderField(std::string_view key, od::value value, Batch* batch) {
  if (key == "gateway") return ReadString(value, &batch->gateway);
  if (key == "stream") return ReadString(value, &batch->stream);
  if (key == "first_seq") return ReadInt(value, &batch->first_seq);
  if (key == "last_seq") return ReadInt(value, &batch->last_seq);
  if (key == "count") return ReadInt(value, &batch->count);
  return true;
}

// One event object of a json batch's "events" array.
bool ReadEvent(od::value value, Envelope* env) {
  od::object object;
  if (value.get_object().get(object)) return false;
  for (auto member : object) {
    od::field field;
    std::string_view key;
    if (std::move(member).get(field) || field.unescaped_key().get(key)) return false;
    env->keys.emplace_back(key);
    if (!ReadField(key, field.value(), env)) return false;
  }
  return true;
}

bool ReadEvents(od::value value, std::vector<Envelope>* events) {
  od::array array;
  if (value.get_array().get(array)) return false;
  for (auto element : array) {
    od::value item;
    if (std::move(element).get(item)) return false;
    if (!ReadEvent(item, &events->emplace_back())) return false;
  }
  return true;
}

}  // namespace

EnvelopeParser::EnvelopeParser() : impl_(std::make_unique<Impl>()) {}
EnvelopeParser::~EnvelopeParser() = default;

std::optional<Envelope> EnvelopeParser::Parse(std::string_view message) {
  simdjson::padded_string padded(message);
  od::document doc;
  od::object object;
  if (impl_->parser.iterate(padded).get(doc) || doc.get_object().get(object)) return std::nullopt;
  Envelope env;
  for (auto member : object) {
    od::field field;
    std::string_view key;
    if (std::move(member).get(field) || field.unescaped_key().get(key)) return std::nullopt;
    env.keys.emplace_back(key);
    if (!ReadField(key, field.value(), &env)) return std::nullopt;
  }
  return env;
}

std::optional<Batch> EnvelopeParser::ParseBatch(std::string_view message) {
  // The header object comes first in both formats. On-demand parsing stops at its closing
  // brace, so for ndjson the event lines after it are not looked at here.
  simdjson::padded_string padded(message);
  od::document doc;
  od::object object;
  if (impl_->parser.iterate(padded).get(doc) || doc.get_object().get(object)) return std::nullopt;
  Batch batch;
  bool has_events = false;
  for (auto member : object) {
    od::field field;
    std::string_view key;
    if (std::move(member).get(field) || field.unescaped_key().get(key)) return std::nullopt;
    batch.keys.emplace_back(key);
    if (key == "events") {
      has_events = true;
      if (!ReadEvents(field.value(), &batch.events)) return std::nullopt;
    } else if (!ReadHeaderField(key, field.value(), &batch)) {
      return std::nullopt;
    }
  }
  if (!batch.first_seq) return std::nullopt;
  if (!has_events) {
    // ndjson: one event per line after the header line. The header's strings are
    // JSON-escaped, so its line ends at the first raw newline.
    batch.ndjson = true;
    const size_t newline = message.find('\n');
    std::string_view rest =
        newline == std::string_view::npos ? std::string_view() : message.substr(newline + 1);
    while (!rest.empty()) {
      const size_t end = rest.find('\n');
      std::string_view line = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      if (TrimRight(line).empty()) continue;
      std::optional<Envelope> event = Parse(line);
      if (!event) return std::nullopt;
      batch.events.push_back(std::move(*event));
    }
  }
  for (Envelope& event : batch.events) {
    event.gateway = batch.gateway;
    event.stream = batch.stream;
  }
  return batch;
}

std::optional<int64_t> EnvelopeParser::IntField(std::string_view json, std::string_view key) {
  simdjson::padded_string padded(json);
  od::document doc;
  od::object object;
  if (impl_->parser.iterate(padded).get(doc) || doc.get_object().get(object)) return std::nullopt;
  int64_t number = 0;
  if (object.find_field_unordered(key).get_int64().get(number)) return std::nullopt;
  return number;
}

}  // namespace ef::testkit
