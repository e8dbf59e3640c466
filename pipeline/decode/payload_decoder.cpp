#include "pipeline/decode/payload_decoder.h"

#include <simdjson.h>

#include <cstring>

#include "pipeline/decode/event_time.h"

namespace ef::pipeline {
namespace od = simdjson::ondemand;

static_assert(PayloadDecoder::kPadding >= simdjson::SIMDJSON_PADDING);

struct PayloadDecoder::Impl {
  const DecodeSpec& spec;
  od::parser parser;
  std::string scratch;  // padded copy of a payload whose buffer has no room to spare
  std::string path;     // the dotted name being walked
  DecodeError* error = nullptr;

  explicit Impl(const DecodeSpec& s) : spec(s) {}

  bool Fail(std::string_view code, std::string detail) {
    error->code = code;
    error->detail = std::move(detail);
    return false;
  }
  bool Json(simdjson::error_code e) {
    const bool depth = e == simdjson::DEPTH_ERROR;
    return Fail(depth ? "depth" : "json_syntax",
                std::string(depth ? "nested too deep: " : "invalid JSON: ") +
                    simdjson::error_message(e));
  }

  bool Wanted(std::string_view name) const {
    if (spec.fields.empty()) return true;
    for (const std::string& f : spec.fields) {
      if (f == name) return true;
    }
    return false;
  }
  // Whether anything wanted lies below the object at `name`.
  bool Descend(std::string_view name) const {
    auto below = [&](const std::string& p) {
      return p.size() > name.size() && p.starts_with(name) && p[name.size()] == '.';
    };
    if (spec.fields.empty()) return true;
    for (const std::string& f : spec.fields) {
      if (below(f)) return true;
    }
    return !spec.time_field.empty() && below(spec.time_field);
  }

  bool TakeObject(od::object object, std::vector<ef::pipeline::Sample>* out);
  bool Walk(od::object object, size_t depth, ef::pipeline::Sample& sample);
  bool Member(od::value value, size_t depth, ef::pipeline::Sample& sample);
  bool Scalar(od::value value, Value* out, bool* skip);
  bool Time(od::value value, ef::pipeline::Sample& sample);
  bool Add(ef::pipeline::Sample& sample, Value value);
  bool Top(od::document& doc, std::vector<ef::pipeline::Sample>* out);
  bool PlainValue(od::document& doc, std::vector<ef::pipeline::Sample>* out);
};

bool PayloadDecoder::Impl::Add(Sample& sample, Value value) {
  for (const Field& f : sample.fields) {
    if (f.name == path) return Fail("duplicate_key", "key '" + path + "' appears twice");
  }
  if (sample.fields.size() >= kMaxFields) {
    return Fail("too_many_fields", "more than " + std::to_string(kMaxFields) + " fields");
  }
  sample.fields.push_back({path, std::move(value)});
  return true;
}

bool PayloadDecoder::Impl::Scalar(od::value value, Value* out, bool* skip) {
  od::json_type type;
  if (auto e = value.type().get(type)) return Json(e);
  *skip = false;
  switch (type) {
    case od::json_type::number: {
      od::number_type nt;
      if (auto e = value.get_number_type().get(nt)) return Json(e);
      if (nt == od::number_type::signed_integer) {
        int64_t i;
        if (auto e = value.get_int64().get(i)) return Json(e);
        *out = i;
      } else {
        double d;
        if (auto e = value.get_double().get(d)) return Json(e);
        *out = d;
      }
      return true;
    }
    case od::json_type::string: {
      std::string_view s;
      if (auto e = value.get_string().get(s)) return Json(e);
      *out = std::string(s);
      return true;
    }
    case od::json_type::boolean: {
      bool b;
      if (auto e = value.get_bool().get(b)) return Json(e);
      *out = b;
      return true;
    }
    default:  // null; arrays are handled by the caller
      if (type == od::json_type::null) {
        bool is_null = false;  // get(), not the bool conversion: that throws on bad input
        if (auto e = value.is_null().get(is_null)) return Json(e);
        if (!is_null) return Json(simdjson::INCORRECT_TYPE);
      }
      *skip = true;
      return true;
  }
}

bool PayloadDecoder::Impl::Time(od::value value, Sample& sample) {
  if (sample.has_time) return Fail("duplicate_key", "time field '" + path + "' appears twice");
  TimeError te = TimeError::kNotATime;
  od::json_type type;
  if (auto e = value.type().get(type)) return Json(e);
  if (spec.time_format == TimeFormat::kRfc3339 && type == od::json_type::string) {
    std::string_view s;
    if (auto e = value.get_string().get(s)) return Json(e);
    te = ParseRfc3339(s, &sample.time_ms);
  } else if (spec.time_format != TimeFormat::kRfc3339 && type == od::json_type::number) {
    od::number_type nt;
    if (auto e = value.get_number_type().get(nt)) return Json(e);
    int64_t i;
    double d;
    if (nt == od::number_type::signed_integer) {
      if (auto e = value.get_int64().get(i)) return Json(e);
      te = EpochToMillis(i, spec.time_format, &sample.time_ms);
    } else {
      if (auto e = value.get_double().get(d)) return Json(e);
      te = EpochToMillis(d, spec.time_format, &sample.time_ms);
    }
  }
  switch (te) {
    case TimeError::kNone: sample.has_time = true; return true;
    case TimeError::kBefore1970:
      return Fail("time_range", "time field '" + path + "' is before 1970");
    case TimeError::kAfter2100:
      return Fail("time_range", "time field '" + path + "' is after 2099");
    case TimeError::kNotATime: break;
  }
  return Fail("time_type", "time field '" + path + "' is not a " +
                               (spec.time_format == TimeFormat::kRfc3339 ? "RFC 3339 string"
                                                                          : "number"));
}

bool PayloadDecoder::Impl::Member(od::value value, size_t depth, Sample& sample) {
  if (path == spec.time_field) return Time(value, sample);
  od::json_type type;
  if (auto e = value.type().get(type)) return Json(e);
  if (type == od::json_type::object) {
    if (!Descend(path)) return true;  // skipped by the object's iteration
    od::object inner;
    if (auto e = value.get_object().get(inner)) return Json(e);
    return Walk(inner, depth + 1, sample);
  }
  if (type == od::json_type::array || !Wanted(path)) return true;
  Value v;
  bool skip = false;
  if (!Scalar(value, &v, &skip)) return false;
  return skip || Add(sample, std::move(v));
}

bool PayloadDecoder::Impl::Walk(od::object object, size_t depth, Sample& sample) {
  if (depth > kMaxDepth) {
    return Fail("depth", "objects nested deeper than " + std::to_string(kMaxDepth));
  }
  const size_t base = path.size();
  for (auto member : object) {
    od::field field;
    if (auto e = std::move(member).get(field)) return Json(e);
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return Json(e);
    path.resize(base);
    if (base > 0) path += '.';
    path += key;
    if (!Member(field.value(), depth, sample)) return false;
  }
  path.resize(base);
  return true;
}

bool PayloadDecoder::Impl::TakeObject(od::object object, std::vector<ef::pipeline::Sample>* out) {
  if (out->size() >= kMaxSamples) {
    return Fail("too_many_samples", "more than " + std::to_string(kMaxSamples) + " samples");
  }
  out->emplace_back();
  path.clear();
  return Walk(object, 1, out->back());
}

bool PayloadDecoder::Impl::PlainValue(od::document& doc, std::vector<ef::pipeline::Sample>* out) {
  od::json_type type;
  if (auto e = doc.type().get(type)) return Json(e);
  Value v;
  if (type == od::json_type::number) {
    od::number_type nt;
    if (auto e = doc.get_number_type().get(nt)) return Json(e);
    int64_t i;
    double d;
    if (nt == od::number_type::signed_integer) {
      if (auto e = doc.get_int64().get(i)) return Json(e);
      v = i;
    } else {
      if (auto e = doc.get_double().get(d)) return Json(e);
      v = d;
    }
  } else if (type == od::json_type::boolean) {
    bool b;
    if (auto e = doc.get_bool().get(b)) return Json(e);
    v = b;
  } else {
    return Fail("not_a_value", "payload is not a number or a bool");
  }
  out->emplace_back();
  out->back().fields.push_back({spec.value_field_name, std::move(v)});
  return true;
}

bool PayloadDecoder::Impl::Top(od::document& doc, std::vector<ef::pipeline::Sample>* out) {
  if (spec.format == DataFormat::kValue) return PlainValue(doc, out);
  od::json_type type;
  if (auto e = doc.type().get(type)) return Json(e);
  if (type == od::json_type::object) {
    od::object object;
    if (auto e = doc.get_object().get(object)) return Json(e);
    return TakeObject(object, out);
  }
  if (type != od::json_type::array || spec.format != DataFormat::kJsonArray) {
    return Fail("not_an_object", spec.format == DataFormat::kJsonArray
                                     ? "payload is not a JSON object or array of objects"
                                     : "payload is not a JSON object");
  }
  od::array array;
  if (auto e = doc.get_array().get(array)) return Json(e);
  for (auto element : array) {
    od::object object;
    if (auto e = element.get_object().get(object)) {
      return e == simdjson::INCORRECT_TYPE ? Fail("not_an_object", "array element is not an object")
                                           : Json(e);
    }
    if (!TakeObject(object, out)) return false;
  }
  return true;
}

PayloadDecoder::PayloadDecoder(DecodeSpec spec)
    : spec_(std::move(spec)), impl_(std::make_unique<Impl>(spec_)) {}

PayloadDecoder::~PayloadDecoder() = default;

bool PayloadDecoder::Decode(std::string_view payload, size_t capacity, std::vector<Sample>* out,
                            DecodeError* error) {
  out->clear();
  impl_->error = error;
  if (payload.empty()) return impl_->Fail("empty", "empty payload");
  const char* data = payload.data();
  if (capacity < payload.size() + kPadding) {
    impl_->scratch.assign(payload);
    impl_->scratch.resize(payload.size() + kPadding, '\0');
    data = impl_->scratch.data();
    capacity = impl_->scratch.size();
  }
  od::document doc;
  if (auto e = impl_->parser.iterate(data, payload.size(), capacity).get(doc)) {
    return impl_->Json(e);
  }
  try {  // every call above uses get(); this only keeps a slip from killing the pipeline
    if (!impl_->Top(doc, out)) return false;
  } catch (const simdjson::simdjson_error& e) {
    out->clear();
    return impl_->Json(e.error());
  }
  // Everything was walked: a location still inside the input is content after the value.
  if (!doc.current_location().error()) {
    return impl_->Fail("json_syntax", "invalid JSON: content after the value");
  }
  return true;
}

}  // namespace ef::pipeline
