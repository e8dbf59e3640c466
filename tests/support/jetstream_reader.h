// The cloud side of the JetStream tests and benchmark: an independent libnats client that
// creates a stream, finds its leader, and reads a whole stream back to count edgeferry's
// events by (gateway, seq) (not by message id: it parses every message, single envelopes and
// batches alike, so a duplicate under another id is caught as well).
//
// Thread-safety: plain functions; each opens and closes its own connection.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/wait.h"

namespace ef::testkit {

struct StreamSpec {
  std::string name;
  std::vector<std::string> subjects;
  int replicas = 1;
  int64_t duplicate_window_s = 120;
};

// Creates the stream on the cluster behind `url` (retrying until the deadline while the
// cluster elects its leaders). False with the reason in *error.
bool CreateStream(const std::string& url, const StreamSpec& spec, Deadline deadline,
                  std::string* error);

// Deletes the stream (and its messages); false with *error.
bool DeleteStream(const std::string& url, const std::string& stream, std::string* error);

// The server_name of the stream's leader ("n2"), or std::nullopt with *error.
std::optional<std::string> StreamLeader(const std::string& url, const std::string& stream,
                                        Deadline deadline, std::string* error);

// How many messages the stream holds now, or std::nullopt (cluster not answering).
std::optional<uint64_t> StreamMessages(const std::string& url, const std::string& stream);

struct StreamCount {
  uint64_t messages = 0;      // messages in the stream
  uint64_t events = 0;        // events in them (batches count each event)
  uint64_t unique = 0;        // distinct (gateway, seq)
  uint64_t duplicates = 0;    // events seen more than once
  uint64_t missing = 0;       // seqs 1..expected_last_seq never seen (per gateway)
  uint64_t out_of_order = 0;  // events whose seq is below the previous one of their stream
  uint64_t unparsed = 0;      // messages that are no edgeferry envelope or batch
  uint64_t max_seq = 0;
  std::string error;          // set when the stream could not be read completely
  std::string Summary() const;
};

// Reads every message of `stream` (an ordered consumer from the first message) and counts.
// `expected_last_seq`: each gateway's events should be exactly seqs 1..expected_last_seq
// (0: take the highest seq seen).
StreamCount ReadStream(const std::string& url, const std::string& stream,
                       uint64_t expected_last_seq, Deadline deadline);

}  // namespace ef::testkit
