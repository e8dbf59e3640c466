#include "bench/tools/arrival_stats.h"

#include <algorithm>
#include <cstdio>

namespace ef::bench {

std::string ArrivalStats::Record(std::string_view topic, std::string_view message,
                                 int64_t arrival_us, testkit::SteadyClock::time_point arrival) {
  ++received_;
  // A batch (batch = "json" / "ndjson") counts each event inside it.
  if (message.find("\"first_seq\"") != std::string_view::npos) {
    if (std::optional<testkit::Batch> batch = parser_.ParseBatch(message);
        batch && !batch->events.empty()) {
      std::string out;
      for (testkit::Envelope& e : batch->events) {
        out += RecordEnvelope(topic, message, std::move(e), arrival_us, arrival);
        out += '\n';
      }
      if (!out.empty()) out.pop_back();
      return out;
    }
  }
  return RecordEnvelope(topic, message, parser_.Parse(message), arrival_us, arrival);
}

std::string ArrivalStats::RecordEnvelope(std::string_view topic, std::string_view message,
                                         std::optional<testkit::Envelope> env,
                                         int64_t arrival_us,
                                         testkit::SteadyClock::time_point arrival) {
  bool is_envelope = env && env->seq && !env->device.empty();
  std::string payload = is_envelope && env->payload ? *env->payload : std::string(message);
  if (is_envelope && !seqs_by_device_[env->device].insert(*env->seq).second) {
    ++duplicates_;
    return "DUP " + env->device + " seq=" + std::to_string(*env->seq);
  }
  ++count_;
  if (!first_) first_ = arrival;
  last_ = arrival;
  if (std::optional<int64_t> sent_us = parser_.IntField(payload, "t_us")) {
    latencies_us_.push_back(arrival_us - *sent_us);
  }
  if (!is_envelope) return std::string(topic) + " " + payload;
  std::string body = env->payload ? *env->payload : "b64:" + env->payload_b64.value_or("");
  if (env->fields) body += " fields=" + *env->fields;  // values a connector decoded (Modbus)
  return env->device + " seq=" + std::to_string(*env->seq) + " " + body;
}

double ArrivalStats::PercentileMs(double fraction) {
  if (latencies_us_.empty()) return 0;
  size_t index =
      std::min(latencies_us_.size() - 1,
               static_cast<size_t>(fraction * static_cast<double>(latencies_us_.size())));
  std::nth_element(latencies_us_.begin(), latencies_us_.begin() + static_cast<ptrdiff_t>(index),
                   latencies_us_.end());
  return static_cast<double>(latencies_us_[index]) / 1000.0;
}

std::string ArrivalStats::Json(bool complete) {
  double seconds = first_ ? std::chrono::duration<double>(*last_ - *first_).count() : 0;
  double rate = seconds > 0 ? static_cast<double>(count_ - 1) / seconds : 0;
  char line[320];
  std::snprintf(line, sizeof line,
                R"({"count":%zu,"received":%zu,"duplicates":%zu,"seconds":%.3f,"rate":%.0f,)"
                R"("p50_ms":%.2f,"p99_ms":%.2f,"complete":%s})",
                count_, received_, duplicates_, seconds, rate, PercentileMs(0.50),
                PercentileMs(0.99), complete ? "true" : "false");
  return line;
}

}  // namespace ef::bench
