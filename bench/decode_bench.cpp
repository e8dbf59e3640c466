// ef-bench-decode: the in-process decode-and-check rate of one core: 120-byte JSON telemetry
// messages (as ef-mqtt-load sends them) through the PayloadDecoder (json, time field t_us)
// and a 5-field data contract (pipeline/contract/contract_check.h), one after the other,
// on the calling thread. Prints the figures and, last, one JSON line.
//
//   ef-bench-decode [--count 2000000]
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/tools/cli_args.h"
#include "pipeline/contract/contract_check.h"
#include "pipeline/decode/payload_decoder.h"

namespace {

using namespace ef;
using namespace ef::pipeline;

Contract FiveFields() {
  Contract c;
  c.name = "bench";
  c.stream = "telemetry";
  ContractVersion v{1, false, {}, {}};
  v.fields.push_back({"n", FieldType::kInt, true, std::nullopt, "", 0.0, std::nullopt, "", false, {}});
  v.fields.push_back({"temp", FieldType::kFloat, true, std::nullopt, "degC", -40.0, 150.0, "", false, {}});
  v.fields.push_back({"humidity", FieldType::kFloat, true, std::nullopt, "%", 0.0, 100.0, "", false, {}});
  v.fields.push_back({"vibration", FieldType::kFloat, false, Value(0.0), "g", 0.0, 10.0, "", false, {}});
  v.fields.push_back({"status", FieldType::kString, true, std::nullopt, "", std::nullopt, std::nullopt, "", false, {}});
  c.versions = {v};
  c.unknown = UnknownFields::kDrop;
  return c;
}

std::string Payload(int64_t n) {
  char body[192];
  std::snprintf(body, sizeof body,
                R"({"device":"dev-07","n":%lld,"t_us":%lld,"temp":%.2f,"humidity":%.2f,)"
                R"("vibration":%.3f,"status":"ok"})",
                static_cast<long long>(n), static_cast<long long>(1796000000000000 + n),
                18.0 + static_cast<double>(n % 700) / 100, 40.0 + static_cast<double>(n % 300) / 10,
                static_cast<double>(n % 50) / 1000);
  std::string s = body;
  s.reserve(s.size() + PayloadDecoder::kPadding);  // as the MQTT source leaves it
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  ef::bench::CliArgs args(argc, argv, {});
  const int64_t count = args.Int("count", 2000000);
  std::vector<std::string> payloads;
  for (int64_t i = 0; i < 1024; ++i) payloads.push_back(Payload(i));
  DecodeSpec spec;
  spec.format = DataFormat::kJson;
  spec.time_field = "t_us";
  spec.time_format = TimeFormat::kUnixUs;
  PayloadDecoder decoder(spec);
  const Contract contract = FiveFields();
  std::vector<Sample> samples;
  DecodeError error;
  int64_t ok = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < count; ++i) {
    const std::string& p = payloads[static_cast<size_t>(i) & 1023];
    if (!decoder.Decode(p, p.capacity(), &samples, &error)) continue;
    Event e;
    e.fields = std::move(samples[0].fields);
    ContractViolation v;
    ok += CheckAndNormalise(contract, e, &v);
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double eps = static_cast<double>(count) / s;
  std::printf("decode+check: %lld messages of %zu bytes in %.3f s on one thread: %.0f/s (%lld ok)\n",
              static_cast<long long>(count), payloads[0].size(), s, eps,
              static_cast<long long>(ok));
  std::printf("{\"bench\":\"decode\",\"count\":%lld,\"bytes\":%zu,\"decode_eps\":%.0f,\"ok\":%lld}\n",
              static_cast<long long>(count), payloads[0].size(), eps, static_cast<long long>(ok));
  return ok == count ? 0 : 1;
}
