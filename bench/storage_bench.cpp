// ef-bench-storage: edgeferry's SQLite queue (storage::SqliteStore through ef::Store) against
// the raw SQLite ceiling (the same table with plain SQLite calls), in one run.
//
//   ef-bench-storage [--events 200000] [--backlog 100000] [--runs 10] [--dir /var/tmp]
//                    [--durability both|normal|full] [--keep]
//
// For each durability (synchronous=NORMAL / FULL, both WAL) and each queue, three patterns:
//   append: --events events of ~120-byte JSON in groups of 1000 (one transaction each);
//   drain:  the events just appended, read oldest-first 500 at a time, each read deleted
//           ("acked") before the next;
//   queue:  on top of a --backlog of events (appended first, not timed), groups of 1000
//           appended while 2 x 500 of the oldest are read and deleted after each group, until
//           --events went through; the backlog stays constant.
// events/s is --events divided by the timed seconds, the median of --runs runs; the ratio is
// the median of the per-run ratios (raw and edgeferry run back to back, their order alternating
// between runs; every timed phase starts after a sync()). Write amplification is the bytes the process wrote to the disk
// (/proc/self/io write_bytes - cancelled_write_bytes) per byte of event payload appended (for
// drain: per payload byte drained); "wchar" is the same for the bytes SQLite passed to
// write(). The database lives in a fresh directory under --dir; put it on the real disk, not
// tmpfs (the filesystem type is printed). The last stdout line is one JSON object with every
// figure.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "bench/storage/disk_meter.h"
#include "bench/storage/queue_under_test.h"
#include "bench/tools/cli_args.h"
#include "tests/support/wait.h"

namespace ef::bench {
namespace {

namespace fs = std::filesystem;

constexpr size_t kGroup = 1000;
constexpr size_t kRead = 500;
constexpr size_t kDevices = 20;
constexpr const char* kPatterns[] = {"append", "drain", "queue"};
constexpr const char* kQueues[] = {"raw", "edgeferry"};

struct Options {
  size_t events = 200'000;
  size_t backlog = 100'000;
  int runs = 10;  // even: raw goes first in half of the pairs
  std::string dir = "/var/tmp";
  std::vector<Durability> durabilities = {Durability::kNormal, Durability::kFull};
  bool keep = false;
};

struct Sample {
  double seconds = 0;
  double cpu_seconds = 0;  // user + system
  IoCounters io;
};

// Key: durability name, pattern, queue name.
using Samples = std::map<std::tuple<std::string, std::string, std::string>, std::vector<Sample>>;

const char* Name(Durability d) { return d == Durability::kFull ? "full" : "normal"; }

// 20 groups of 1000 distinct events, reused round-robin (Append only rewrites their seq).
class EventPool {
 public:
  EventPool() {
    groups_.resize(20);
    size_t i = 0;
    for (auto& group : groups_) {
      for (size_t k = 0; k < kGroup; ++k, ++i) group.push_back(Make(i));
    }
  }
  std::span<Event> Group(size_t g) { return groups_[g % groups_.size()]; }
  double PayloadBytesPerEvent() const {
    double sum = 0;
    for (const Event& e : groups_[0]) sum += static_cast<double>(e.payload.size());
    return sum / static_cast<double>(groups_[0].size());
  }

 private:
  static Event Make(size_t i) {
    char device[16], payload[192];
    std::snprintf(device, sizeof device, "dev-%02zu", i % kDevices);
    const int64_t now_ms = testkit::WallMillis();
    std::snprintf(payload, sizeof payload,
                  R"({"device":"%s","n":%zu,"t_us":%lld,"temp":%.2f,"humidity":%.2f,)"
                  R"("vibration":%.3f,"status":"ok"})",
                  device, i / kDevices, static_cast<long long>(now_ms) * 1000,
                  18.0 + static_cast<double>(i % 700) / 100,
                  40.0 + static_cast<double>(i % 3000) / 100, static_cast<double>(i % 50) / 1000);
    Event e;
    e.stream = "telemetry";
    e.device_id = device;
    e.origin = std::string("plant/") + device + "/telemetry";
    e.event_time_ms = e.ingest_time_ms = now_ms;
    e.format = PayloadFormat::kJson;
    e.payload = payload;
    return e;
  }
  std::vector<std::vector<Event>> groups_;
};

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Each timed phase starts with the disk quiet: what the previous phase (or the other queue)
// left for the kernel to write back is written first, so it is charged to neither.
template <class Body>
Sample Timed(Body body) {
  ::sync();
  const IoCounters io_before = ReadIoCounters();
  const double cpu_before = CpuSeconds();
  const auto start = testkit::SteadyNow();
  body();
  const auto end = testkit::SteadyNow();
  return {std::chrono::duration<double>(end - start).count(), CpuSeconds() - cpu_before,
          ReadIoCounters() - io_before};
}

void RemoveDb(const fs::path& db) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
}

std::unique_ptr<QueueUnderTest> Open(const std::string& queue, const fs::path& db, Durability d) {
  RemoveDb(db);
  return queue == "raw" ? OpenRawQueue(db.string(), d) : OpenStoreQueue(db.string(), d);
}

void AppendEvents(QueueUnderTest& q, EventPool& pool, size_t events) {
  for (size_t g = 0; g * kGroup < events; ++g) q.Append(pool.Group(g));
}

// append, then drain what was appended, then queue with a backlog; one queue, one durability.
void RunQueue(const Options& o, const std::string& queue, Durability d, const fs::path& dir,
              EventPool& pool, Samples& samples) {
  const fs::path db = dir / (queue + "-" + Name(d) + ".db");
  {
    auto q = Open(queue, db, d);
    samples[{Name(d), "append", queue}].push_back(Timed([&] { AppendEvents(*q, pool, o.events); }));
    size_t drained = 0;
    samples[{Name(d), "drain", queue}].push_back(Timed([&] {
      while (size_t n = q->ReadOldest(kRead)) {
        q->AckRead();
        drained += n;
      }
    }));
    if (drained != o.events) {
      std::fprintf(stderr, "ef-bench-storage: %s drained %zu of %zu\n", queue.c_str(), drained,
                   o.events);
      std::exit(1);
    }
  }
  auto q = Open(queue, db, d);
  AppendEvents(*q, pool, o.backlog);
  samples[{Name(d), "queue", queue}].push_back(Timed([&] {
    for (size_t g = 0; g * kGroup < o.events; ++g) {
      q->Append(pool.Group(g));
      for (size_t r = 0; r < kGroup / kRead; ++r) {
        q->ReadOldest(kRead);
        q->AckRead();
      }
    }
  }));
  q.reset();
  RemoveDb(db);
}

Sample Median(std::vector<Sample> v) {
  std::sort(v.begin(), v.end(),
            [](const Sample& a, const Sample& b) { return a.seconds < b.seconds; });
  return v[v.size() / 2];
}

// The median over runs of edgeferry/raw within the same run (measured back to back), which
// is steadier on a shared machine than the ratio of the two medians.
double PairedRatio(const std::vector<Sample>& raw, const std::vector<Sample>& ef) {
  std::vector<double> ratios;
  for (size_t i = 0; i < raw.size() && i < ef.size(); ++i) {
    ratios.push_back(raw[i].seconds / ef[i].seconds);
  }
  std::sort(ratios.begin(), ratios.end());
  return ratios[ratios.size() / 2];
}

struct Figure {
  double eps = 0, cpu_us = 0, write_amp = 0, wchar_amp = 0;
};

Figure FigureOf(const Options& o, const Sample& s, double payload_bytes) {
  const auto events = static_cast<double>(o.events);
  const double total_payload = payload_bytes * events;
  return {events / s.seconds, s.cpu_seconds * 1e6 / events,
          static_cast<double>(s.io.DiskBytes()) / total_payload,
          static_cast<double>(s.io.wchar) / total_payload};
}

void PrintHeader(const Options& o, double payload_bytes, const std::string& where,
                 const std::string& fs_type) {
  std::printf("ef-bench-storage: %zu events (%.0f-byte payloads), backlog %zu, median of %d runs\n",
              o.events, payload_bytes, o.backlog, o.runs);
  std::printf("database in %s (%s), %s\n\n", where.c_str(), fs_type.c_str(),
              SqliteVersion().c_str());
  std::printf("%-10s %-7s %10s %14s %6s   %-13s   %-17s   %-17s\n", "", "", "raw", "edgeferry", "",
              "cpu us/event", "disk B/payload B", "write() B/payl. B");
  std::printf("%-10s %-7s %10s %14s %6s   %6s %6s   %8s %8s   %8s %8s\n", "durability", "pattern",
              "events/s", "events/s", "ratio", "raw", "ef", "raw", "ef", "raw", "ef");
}

// Prints one table row and returns the same figures as a JSON object.
std::string Row(const char* durability, const char* pattern, const Figure& raw, const Figure& ef,
                double ratio) {
  std::printf("%-10s %-7s %10.0f %14.0f %6.2f   %6.2f %6.2f   %8.2f %8.2f   %8.2f %8.2f\n",
              durability, pattern, raw.eps, ef.eps, ratio, raw.cpu_us, ef.cpu_us, raw.write_amp,
              ef.write_amp, raw.wchar_amp, ef.wchar_amp);
  char json[400];
  std::snprintf(json, sizeof json,
                "{\"durability\":\"%s\",\"pattern\":\"%s\",\"raw_eps\":%.0f,"
                "\"edgeferry_eps\":%.0f,\"ratio\":%.3f,\"raw_cpu_us\":%.2f,"
                "\"edgeferry_cpu_us\":%.2f,\"raw_write_amp\":%.2f,\"edgeferry_write_amp\":%.2f,"
                "\"raw_wchar_amp\":%.2f,\"edgeferry_wchar_amp\":%.2f}",
                durability, pattern, raw.eps, ef.eps, ratio, raw.cpu_us, ef.cpu_us, raw.write_amp,
                ef.write_amp, raw.wchar_amp, ef.wchar_amp);
  return json;
}

void Report(const Options& o, const Samples& samples, double payload_bytes,
            const std::string& where, const std::string& fs_type) {
  PrintHeader(o, payload_bytes, where, fs_type);
  std::string cases;
  double min_ratio = 1e9, append_normal = 0;
  for (Durability d : o.durabilities) {
    for (const char* pattern : kPatterns) {
      const std::vector<Sample>& raw_runs = samples.at({Name(d), pattern, "raw"});
      const std::vector<Sample>& ef_runs = samples.at({Name(d), pattern, "edgeferry"});
      const Figure raw = FigureOf(o, Median(raw_runs), payload_bytes);
      const Figure ef = FigureOf(o, Median(ef_runs), payload_bytes);
      const double ratio = PairedRatio(raw_runs, ef_runs);
      min_ratio = std::min(min_ratio, ratio);
      if (d == Durability::kNormal && std::string(pattern) == "append") append_normal = ef.eps;
      if (!cases.empty()) cases += ',';
      cases += Row(Name(d), pattern, raw, ef, ratio);
    }
  }
  char tail[400];
  std::snprintf(tail, sizeof tail,
                "{\"bench\":\"storage\",\"events\":%zu,\"backlog\":%zu,\"runs\":%d,"
                "\"payload_bytes\":%.0f,\"fs\":\"%s\",\"sqlite\":\"%s\",\"min_ratio\":%.3f,"
                "\"append_normal_eps\":%.0f,\"cases\":[",
                o.events, o.backlog, o.runs, payload_bytes, fs_type.c_str(),
                SqliteVersion().c_str(), min_ratio, append_normal);
  std::printf("\nedgeferry/raw at least %.2f; edgeferry append (normal) %.0f events/s\n%s%s]}\n",
              min_ratio, append_normal, tail, cases.c_str());
  std::fflush(stdout);
}

Options Parse(int argc, char** argv) {
  CliArgs args(argc, argv, {"keep"});
  Options o;
  o.events = static_cast<size_t>(args.Int("events", static_cast<int64_t>(o.events)));
  o.backlog = static_cast<size_t>(args.Int("backlog", static_cast<int64_t>(o.backlog)));
  o.runs = static_cast<int>(args.Int("runs", o.runs));
  o.dir = args.String("dir", o.dir);
  o.keep = args.Has("keep");
  const std::string d = args.String("durability", "both");
  if (d == "normal") o.durabilities = {Durability::kNormal};
  if (d == "full") o.durabilities = {Durability::kFull};
  if (d != "both" && d != "normal" && d != "full") throw std::invalid_argument("--durability");
  if (o.events < kGroup || o.runs < 1) throw std::invalid_argument("--events >= 1000, --runs >= 1");
  return o;
}

int Main(int argc, char** argv) {
  Options o;
  try {
    o = Parse(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr,
                 "usage: ef-bench-storage [--events N] [--backlog N] [--runs N] [--dir DIR]"
                 " [--durability both|normal|full] [--keep]  (%s)\n",
                 e.what());
    return 2;
  }
  std::string templ = (fs::path(o.dir) / "ef-bench-storage-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) {
    std::perror(("ef-bench-storage: mkdtemp in " + o.dir).c_str());
    return 1;
  }
  const fs::path dir = templ;
  EventPool pool;
  Samples samples;
  for (int run = 0; run < o.runs; ++run) {
    for (Durability d : o.durabilities) {
      for (size_t k = 0; k < 2; ++k) {
        const std::string queue = kQueues[(k + static_cast<size_t>(run)) % 2];
        RunQueue(o, queue, d, dir, pool, samples);
        std::fprintf(stderr, "run %d/%d %-6s %-9s", run + 1, o.runs, Name(d), queue.c_str());
        for (const char* pattern : kPatterns) {
          const Sample& last = samples[{Name(d), pattern, queue}].back();
          std::fprintf(stderr, "  %s %.0f/s", pattern,
                       static_cast<double>(o.events) / last.seconds);
        }
        std::fprintf(stderr, "\n");
      }
    }
  }
  Report(o, samples, pool.PayloadBytesPerEvent(), dir.string(), FilesystemType(dir.string()));
  if (!o.keep) fs::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace ef::bench

int main(int argc, char** argv) { return ef::bench::Main(argc, argv); }
