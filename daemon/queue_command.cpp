#include "daemon/queue_command.h"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "core/clock.h"
#include "core/json.h"
#include "daemon/drain_estimate.h"
#include "daemon/writes_report.h"
#include "storage/sqlite_store.h"

namespace ef::daemon {
namespace {

using storage::SqliteStore;

int Fail(const std::string& message) {
  std::fprintf(stderr, "edgeferry queue: %s\n", message.c_str());
  return 1;
}

std::string Age(int64_t oldest_ms, int64_t now_ms) {
  return oldest_ms == 0 ? "-" : HumanDuration((now_ms - oldest_ms) / 1000);
}

std::string OrNull(int64_t value) { return value < 0 ? "null" : std::to_string(value); }

// ,"drain_state":"draining","drain_per_s":210.00,"drain_age_ms":4000,"eta_s":38
std::string DrainJson(const DrainEstimate& e) {
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.2f", e.per_s);
  return std::string(",\"drain_state\":\"") + StateName(e.state) + "\",\"drain_per_s\":" + rate +
         ",\"drain_age_ms\":" + OrNull(e.age_ms) + ",\"eta_s\":" + OrNull(e.eta_s);
}

void PrintStatsJson(const StoreStats& stats, const storage::StorageWrites& writes,
                    int64_t now_ms) {
  std::string out = "{\"events\":" + std::to_string(stats.events) +
                    ",\"bytes\":" + std::to_string(stats.bytes) +
                    ",\"last_seq\":" + std::to_string(stats.last_seq) +
                    ",\"dead_letters\":" + std::to_string(stats.dead_letters) +
                    DrainJson(EstimateTotal(stats, now_ms)) + WritesJson(writes) +
                    ",\"streams\":[";
  for (size_t i = 0; i < stats.streams.size(); ++i) {
    const StreamStats& s = stats.streams[i];
    out += i ? "," : "";
    out += "{\"stream\":";
    AppendJsonString(out, s.stream);
    out += ",\"events\":" + std::to_string(s.events) + ",\"bytes\":" + std::to_string(s.bytes) +
           ",\"oldest_age_ms\":" + std::to_string(s.oldest_ingest_ms ? now_ms - s.oldest_ingest_ms : 0) +
           ",\"dropped\":" + std::to_string(s.counters.dropped) +
           ",\"rejected\":" + std::to_string(s.counters.rejected) +
           ",\"expired\":" + std::to_string(s.counters.expired) +
           ",\"dead_lettered\":" + std::to_string(s.counters.dead_lettered) +
           DrainJson(EstimateStream(s, now_ms)) + "}";
  }
  std::printf("%s]}\n", out.c_str());
}

void PrintStatsTable(const std::string& path, const StoreStats& stats,
                     const storage::StorageWrites& writes, int64_t now_ms) {
  std::printf("%s: %llu events, %llu bytes waiting; last seq %llu; %llu dead letters\n",
              path.c_str(), static_cast<unsigned long long>(stats.events),
              static_cast<unsigned long long>(stats.bytes),
              static_cast<unsigned long long>(stats.last_seq),
              static_cast<unsigned long long>(stats.dead_letters));
  std::printf("%-16s %10s %12s %12s %9s %9s %9s %6s %8s %12s\n", "stream", "events", "bytes",
              "oldest", "dropped", "rejected", "expired", "dead", "drain/s", "eta");
  for (const StreamStats& s : stats.streams) {
    const DrainEstimate drain = EstimateStream(s, now_ms);
    std::printf("%-16s %10llu %12llu %12s %9llu %9llu %9llu %6llu %8s %12s\n", s.stream.c_str(),
                static_cast<unsigned long long>(s.events),
                static_cast<unsigned long long>(s.bytes),
                Age(s.oldest_ingest_ms, now_ms).c_str(),
                static_cast<unsigned long long>(s.counters.dropped),
                static_cast<unsigned long long>(s.counters.rejected),
                static_cast<unsigned long long>(s.counters.expired),
                static_cast<unsigned long long>(s.counters.dead_lettered),
                RateCell(drain).c_str(), EtaCell(drain).c_str());
  }
  std::printf("%s\n", DescribeTotal(EstimateTotal(stats, now_ms)).c_str());
  std::printf("%s\n", DescribeWrites(writes, now_ms).c_str());
}

Result<std::unique_ptr<SqliteStore>> OpenExisting(const std::string& path, bool read_only) {
  if (!std::filesystem::exists(path)) return Status::NotFound(path + " does not exist");
  storage::SqliteStoreOptions options;
  options.path = path;
  options.read_only = read_only;
  return SqliteStore::Open(options, storage::StorePolicy{});
}

int Stats(const QueueCommandArgs& args) {
  auto store = OpenExisting(args.db_path, true);
  if (!store.ok()) return Fail(store.status().ToString());
  auto stats = (*store)->Stats();
  if (!stats.ok()) return Fail(stats.status().ToString());
  auto writes = (*store)->StoredWrites();  // the daemon's figure (flash wear)
  if (!writes.ok()) return Fail(writes.status().ToString());
  const int64_t now_ms = SystemClock().WallMillis();
  if (args.json) {
    PrintStatsJson(*stats, *writes, now_ms);
  } else {
    PrintStatsTable(args.db_path, *stats, *writes, now_ms);
  }
  return 0;
}

std::vector<uint64_t> Ids(const QueueCommandArgs& args, size_t first, bool* ok) {
  std::vector<uint64_t> ids;
  *ok = true;
  for (size_t i = first; i < args.words.size(); ++i) {
    const std::string& w = args.words[i];
    if (w.empty() || w.find_first_not_of("0123456789") != std::string::npos) *ok = false;
    else ids.push_back(std::stoull(w));
  }
  return ids;
}

int DeadLetters(const QueueCommandArgs& args) {
  const std::string verb = args.words.size() > 1 ? args.words[1] : "";
  bool ids_ok = true;
  const std::vector<uint64_t> ids = Ids(args, 2, &ids_ok);
  if (!ids_ok) return Fail("dead-letter ids are numbers");
  const bool read_only = verb == "list" || verb == "show";
  auto store = OpenExisting(args.db_path, read_only);
  if (!store.ok()) return Fail(store.status().ToString());
  if (verb == "list" || verb == "show") {
    if (verb == "show" && ids.size() != 1) return Fail("dlq show takes one id");
    auto rows = (*store)->ListDeadLetters(verb == "show" ? 1 : args.limit,
                                          verb == "show" ? ids[0] : 0);
    if (!rows.ok()) return Fail(rows.status().ToString());
    if (verb == "show" && rows->empty()) return Fail("no dead letter " + std::to_string(ids[0]));
    for (const auto& row : *rows) {
      std::printf("%llu  seq %llu  stream %s  device %s  %s\n",
                  static_cast<unsigned long long>(row.id),
                  static_cast<unsigned long long>(row.event.seq), row.event.stream.c_str(),
                  row.event.device_id.c_str(), row.reason.c_str());
      if (verb == "show") std::printf("%s\n", row.event.payload.c_str());
    }
    return 0;
  }
  if (verb != "replay" && verb != "purge") return Fail("dlq takes list, show, replay or purge");
  if (ids.empty() != args.all) return Fail("dlq " + verb + " takes ids or --all");
  auto done = verb == "replay" ? (*store)->ReplayDeadLetters(ids) : (*store)->PurgeDeadLetters(ids);
  if (!done.ok()) return Fail(done.status().ToString());
  std::printf("%s %llu dead letter(s)\n", verb == "replay" ? "replayed" : "purged",
              static_cast<unsigned long long>(*done));
  return 0;
}

}  // namespace

int RunQueueCommand(const QueueCommandArgs& args) {
  const std::string what = args.words.empty() ? "" : args.words[0];
  if (what == "stats") return Stats(args);
  if (what == "dlq") return DeadLetters(args);
  return Fail("usage: edgeferry queue stats|dlq (list|show|replay|purge) [--data-dir DIR]");
}

}  // namespace ef::daemon
