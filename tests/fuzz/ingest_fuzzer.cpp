// libFuzzer target: the MQTT payload decoder (pipeline/decode/payload_decoder.h) and the
// data contract check (pipeline/contract/contract_check.h) on whatever bytes come.
// The first byte picks the decoding (format, time format, field selection); the rest is the
// payload. Every decoded sample is then checked against a small two-version contract.
// Nothing may crash, hang or read out of bounds (run under ASan/UBSan, see CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <string>

#include "pipeline/contract/contract_check.h"
#include "pipeline/decode/payload_decoder.h"

namespace {

using namespace ef;
using namespace ef::pipeline;

Contract MakeContract() {
  Contract c;
  c.name = "fuzz";
  c.stream = "telemetry";
  c.version_field = "v";
  ContractVersion v1{1, false, {}, {}};
  v1.fields.push_back({"t", FieldType::kInt, true, std::nullopt, "", -40.0, 150.0, "", false, {}});
  v1.fields.push_back({"s", FieldType::kString, false, Value(std::string("x")), "", std::nullopt,
                       std::nullopt, "", false, {}});
  v1.fields.push_back({"at", FieldType::kTimestamp, false, std::nullopt, "", std::nullopt,
                       std::nullopt, "", false, {}});
  ContractVersion v2{2, false, {}, {}};
  v2.fields.push_back({"temp", FieldType::kFloat, true, std::nullopt, "", -40.0, 150.0, "t",
                       false, {}});
  v2.fields.push_back({"on", FieldType::kBool, false, Value(false), "", std::nullopt,
                       std::nullopt, "", false, {}});
  c.versions = {v1, v2};
  c.unknown = UnknownFields::kDrop;
  return c;
}

DecodeSpec SpecFor(uint8_t selector) {
  DecodeSpec spec;
  spec.format = static_cast<DataFormat>(1 + selector % 3);  // json, json_array, value
  spec.time_format = static_cast<TimeFormat>((selector >> 2) % 5);
  if (selector & 0x20) spec.time_field = (selector & 0x40) ? "meta.ts" : "ts";
  if (selector & 0x80) spec.fields = {"t", "temp", "a.b.c", "v"};
  return spec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const Contract contract = MakeContract();
  PayloadDecoder decoder(SpecFor(data[0]));
  const std::string payload(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<Sample> samples;
  DecodeError error;
  if (!decoder.Decode(payload, payload.capacity(), &samples, &error)) return 0;
  for (Sample& sample : samples) {
    Event event;
    event.stream = "telemetry";
    event.fields = std::move(sample.fields);
    ContractViolation violation;
    (void)CheckAndNormalise(contract, event, &violation);
  }
  return 0;
}
