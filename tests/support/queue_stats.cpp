#include "tests/support/queue_stats.h"

#include <simdjson.h>

#include <system_error>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace ef::testkit {

namespace od = simdjson::ondemand;

namespace {

bool ReadUnsigned(od::value value, uint64_t* out) { return !value.get_uint64().get(*out); }

// Reads `key` into `stats` if it is one of the storage writes members; *matched says whether
// it was. null leaves the member unset.
bool ReadWrites(std::string_view key, od::value value, QueueStats* stats, bool* matched) {
  *matched = key == "written_bytes" || key == "written_events" || key == "written_bytes_per_event";
  if (!*matched) return true;
  bool null = false;
  if (value.is_null().get(null)) return false;
  if (null) return true;
  if (key == "written_bytes_per_event") {
    double per_event = 0;
    if (value.get_double().get(per_event)) return false;
    stats->written_per_event = per_event;
    return true;
  }
  uint64_t n = 0;
  if (value.get_uint64().get(n)) return false;
  (key == "written_bytes" ? stats->written_bytes : stats->written_events) = n;
  return true;
}

// Reads `key` into `out` if it is one of the drain members; *matched says whether it was.
bool ReadDrain(std::string_view key, od::value value, QueueDrain* out, bool* matched) {
  *matched = true;
  if (key == "drain_state") {
    std::string_view state;
    if (value.get_string().get(state)) return false;
    out->state.assign(state);
    return true;
  }
  if (key == "drain_per_s") return !value.get_double().get(out->per_s);
  if (key == "eta_s") {
    bool null = false;
    if (value.is_null().get(null)) return false;
    if (null) return true;
    int64_t eta = 0;
    if (value.get_int64().get(eta)) return false;
    out->eta_s = eta;
    return true;
  }
  *matched = false;
  return true;
}

bool ReadStream(od::value value, QueueStreamStats* out) {
  od::object object;
  if (value.get_object().get(object)) return false;
  bool has_name = false;
  for (auto member : object) {
    od::field field;
    std::string_view key;
    if (std::move(member).get(field) || field.unescaped_key().get(key)) return false;
    od::value v = field.value();
    bool ok = true, drain = false;
    if (!ReadDrain(key, v, &out->drain, &drain)) return false;
    if (drain) continue;
    if (key == "stream") {
      std::string_view name;
      ok = !v.get_string().get(name);
      out->stream.assign(name);
      has_name = ok;
    } else if (key == "events") {
      ok = ReadUnsigned(v, &out->events);
    } else if (key == "bytes") {
      ok = ReadUnsigned(v, &out->bytes);
    } else if (key == "oldest_age_ms") {
      ok = !v.get_int64().get(out->oldest_age_ms);
    } else if (key == "dropped") {
      ok = ReadUnsigned(v, &out->dropped);
    } else if (key == "rejected") {
      ok = ReadUnsigned(v, &out->rejected);
    } else if (key == "expired") {
      ok = ReadUnsigned(v, &out->expired);
    } else if (key == "dead_lettered") {
      ok = ReadUnsigned(v, &out->dead_lettered);
    }
    if (!ok) return false;
  }
  return has_name;
}

bool ReadStreams(od::value value, std::vector<QueueStreamStats>* out) {
  od::array array;
  if (value.get_array().get(array)) return false;
  for (auto item : array) {
    od::value element;
    if (std::move(item).get(element)) return false;
    if (!ReadStream(element, &out->emplace_back())) return false;
  }
  return true;
}

// The last line of `text` that starts with '{'.
std::string_view LastJsonLine(std::string_view text) {
  std::string_view found;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.front() == '{') found = line;
    start = end + 1;
  }
  return found;
}

}  // namespace

QueueStreamStats QueueStats::Stream(std::string_view name) const {
  for (const QueueStreamStats& s : streams) {
    if (s.stream == name) return s;
  }
  QueueStreamStats none;
  none.stream = std::string(name);
  return none;
}

uint64_t QueueStats::Dropped() const {
  uint64_t sum = 0;
  for (const QueueStreamStats& s : streams) sum += s.dropped;
  return sum;
}

uint64_t QueueStats::Rejected() const {
  uint64_t sum = 0;
  for (const QueueStreamStats& s : streams) sum += s.rejected;
  return sum;
}

std::optional<QueueStats> ParseQueueStatsJson(std::string_view json) {
  simdjson::padded_string padded(json);
  od::parser parser;
  od::document doc;
  od::object object;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(object)) return std::nullopt;
  QueueStats stats;
  const std::pair<std::string_view, uint64_t*> totals[] = {{"events", &stats.events},
                                                           {"bytes", &stats.bytes},
                                                           {"last_seq", &stats.last_seq},
                                                           {"dead_letters", &stats.dead_letters}};
  int required = 0;
  for (auto member : object) {
    od::field field;
    std::string_view key;
    if (std::move(member).get(field) || field.unescaped_key().get(key)) return std::nullopt;
    od::value v = field.value();
    bool ok = true, drain = false;
    if (!ReadDrain(key, v, &stats.drain, &drain)) return std::nullopt;
    if (drain) continue;
    if (!ReadWrites(key, v, &stats, &drain)) return std::nullopt;
    if (drain) continue;
    if (key == "streams") {
      ok = ReadStreams(v, &stats.streams);
      ++required;
    }
    for (const auto& [name, target] : totals) {
      if (key != name) continue;
      ok = ReadUnsigned(v, target);
      ++required;
    }
    if (!ok) return std::nullopt;
  }
  if (required != 5) return std::nullopt;
  return stats;
}

std::optional<std::string> RunQueueStats(const std::string& edgeferry,
                                         const std::filesystem::path& data_dir,
                                         const std::filesystem::path& output_file, bool json,
                                         Deadline deadline, std::string* error) {
  std::error_code ec;
  std::filesystem::remove(output_file, ec);
  ProcessOptions spawn;
  spawn.argv = {edgeferry, "queue", "stats", "--data-dir", data_dir.string()};
  if (json) spawn.argv.push_back("--json");
  spawn.log_file = output_file;
  Process cli(std::move(spawn));
  std::optional<int> status = cli.Wait(deadline);
  std::string output = ReadFile(output_file);
  if (!status) {
    cli.Kill();
    *error = "queue stats did not finish in time; output: " + output;
    return std::nullopt;
  }
  if (*status != 0) {
    *error = "queue stats exited with " + std::to_string(*status) + "; output: " + output;
    return std::nullopt;
  }
  return output;
}

std::optional<QueueStats> ReadQueueStats(const std::string& edgeferry,
                                         const std::filesystem::path& data_dir,
                                         const std::filesystem::path& output_file,
                                         Deadline deadline, std::string* error) {
  std::optional<std::string> output =
      RunQueueStats(edgeferry, data_dir, output_file, true, deadline, error);
  if (!output) return std::nullopt;
  std::optional<QueueStats> stats = ParseQueueStatsJson(LastJsonLine(*output));
  if (!stats) *error = "queue stats printed no valid JSON; output: " + *output;
  return stats;
}

}  // namespace ef::testkit
