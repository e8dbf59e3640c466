// The test's view of the cloud: a QoS 1 subscriber that reads edgeferry's envelopes and keeps
// the facts the tests assert on (what arrived, in which order, how often).
//
// It uses a persistent session (clean_session=false, fixed client id) and Paho's automatic
// reconnect, and re-subscribes after every reconnect, so a cloud broker with persistence can be
// stopped and restarted under it without losing what the broker queued for it.
//
// It reads every format edgeferry publishes: one envelope per message (batch = "none"), json and
// ndjson batches (each event of a batch is recorded as if it had come alone), and zstd-compressed
// messages on "<topic>/zstd". The retained birth/will messages edgeferry puts on its status topic
// ({"client":..,"state":"online"|"offline"}) and its status summaries ({"client":..,"state":..,
// "summary":{..}}) are kept apart: they are not events.
//
// An event's identity is (device, payload counter) when the payload carries the counter field,
// otherwise (device, seq). Paho's callback thread parses and records under a mutex and
// notifies; nothing in a callback blocks.
//
// Thread-safety: all public methods may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tests/support/envelope.h"
#include "tests/support/wait.h"

namespace ef::testkit {

class PahoConnection;

struct CollectorOptions {
  std::string uri;
  std::string client_id = "ef-test-cloud-collector";  // fixed: the session outlives restarts
  std::string topic_filter = "edgeferry/#";
  std::string counter_field = "n";  // the payload's own per-device counter
};

struct CollectorStats {
  size_t received = 0;       // every event delivered (one per envelope), duplicates included
  size_t unique = 0;         // distinct identities (see file comment)
  size_t duplicate_seq = 0;  // a (device, seq) seen before
  size_t reingested = 0;     // a (device, counter) seen before under another seq
  size_t out_of_order = 0;   // new seq/counter not above the device's highest so far
  size_t seq_reused = 0;     // a seq seen before on a different (device, counter)
  size_t unparsed = 0;       // not an envelope with device and seq (a batch counts once)
  size_t connection_losses = 0;
  size_t messages = 0;         // MQTT messages, status messages included
  size_t batches = 0;          // json / ndjson batch messages
  size_t status_messages = 0;  // birth/will messages on edgeferry's status topic
};

// One MQTT message as it arrived (status messages are not Arrivals; see StatusMessages()).
struct Arrival {
  std::string topic;
  std::string message;  // as received; for a zstd message, the decompressed text
  std::optional<Envelope> envelope;  // batch = "none": the envelope
  std::optional<int64_t> counter;    // ... and its payload counter
  std::optional<Batch> batch;        // batch = "json" / "ndjson": header and events
  size_t wire_bytes = 0;             // payload size on the wire (compressed size for zstd)
  bool compressed = false;           // arrived on "<topic>/zstd"
  SteadyClock::time_point at{};      // when the collector's callback got it
};

struct StatusMessage {
  std::string topic;
  std::string payload;
  SteadyClock::time_point at{};
};

class CloudCollector {
 public:
  explicit CloudCollector(CollectorOptions options);
  ~CloudCollector();

  CloudCollector(const CloudCollector&) = delete;
  CloudCollector& operator=(const CloudCollector&) = delete;

  // Connects and subscribes (QoS 1). Returns false on failure or at the deadline; error().
  bool Connect(Deadline deadline);

  // Blocks until Stats().unique >= n or the deadline; returns whether it got there.
  bool WaitForCount(size_t n, Deadline deadline);

  CollectorStats Stats() const;
  std::vector<Arrival> Arrivals() const;  // every message but status ones, in arrival order
  std::vector<StatusMessage> StatusMessages() const;  // birth/will messages, in arrival order

  // Sequence numbers: how many distinct ones arrived, the highest so far, and which of
  // first..last never arrived (at most `limit` of them, lowest first).
  size_t DistinctSeqs() const;
  std::optional<int64_t> MaxSeq() const;
  std::vector<int64_t> MissingSeqs(int64_t first, int64_t last, size_t limit = 100) const;
  // Blocks until DistinctSeqs() >= n or the deadline; returns whether it got there.
  bool WaitForSeqs(size_t n, Deadline deadline);

  // Whether the message with payload counter `n` of `device` arrived.
  bool HasCounter(const std::string& device, int64_t n) const;

  // Labels ("dev-07 n=123") of the counters 0..per_device-1 never seen for `devices`.
  std::vector<std::string> MissingCounters(const std::vector<std::string>& devices,
                                           int64_t per_device) const;
  std::string error() const;

 private:
  struct DeviceState {
    std::unordered_set<int64_t> seqs;
    std::unordered_map<int64_t, int64_t> seq_by_counter;
    std::optional<int64_t> max_seq;
    std::optional<int64_t> max_counter;
  };
  struct PahoCallbacks;  // Paho's C callbacks, defined in the .cpp
  friend struct PahoCallbacks;

  // REQUIRES: mu_ held.
  void Record(std::string topic, std::string message, SteadyClock::time_point at);
  void RecordEvent(const Envelope& env, std::optional<int64_t> counter);
  void Subscribe();

  CollectorOptions options_;
  std::unique_ptr<PahoConnection> conn_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  EnvelopeParser parser_;
  CollectorStats stats_;
  std::vector<Arrival> arrivals_;
  std::vector<StatusMessage> status_;
  std::unordered_map<std::string, DeviceState> devices_;
  std::unordered_map<int64_t, std::pair<std::string, std::optional<int64_t>>> owner_by_seq_;
  size_t subscriptions_ = 0;
  std::string error_;
};

}  // namespace ef::testkit
