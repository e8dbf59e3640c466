#include "tests/support/jetstream_reader.h"

#include <nats/nats.h>

#include <memory>
#include <sstream>

#include "tests/support/envelope.h"

namespace ef::testkit {
namespace {

// One connection and JetStream context, closed on scope exit.
struct Client {
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  std::string error;
  explicit Client(const std::string& url) {
    natsStatus s = natsConnection_ConnectTo(&nc, url.c_str());
    if (s == NATS_OK) s = natsConnection_JetStream(&js, nc, nullptr);
    if (s != NATS_OK) error = std::string("connect ") + url + ": " + natsStatus_GetText(s);
  }
  ~Client() {
    if (js != nullptr) jsCtx_Destroy(js);
    if (nc != nullptr) natsConnection_Destroy(nc);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
};

std::string Failed(const char* what, natsStatus s, jsErrCode code) {
  return std::string(what) + ": " + natsStatus_GetText(s) + " (error code " +
         std::to_string(static_cast<int>(code)) + ")";
}

// Counts the events of one gateway.
struct Tally {
  std::map<uint64_t, uint32_t> seen;              // seq -> times
  std::map<std::string, uint64_t> last_by_stream;  // for the order check
};

void Count(std::map<std::string, Tally>& tallies, StreamCount& out, const Envelope& e) {
  if (!e.seq || *e.seq <= 0) return;
  const auto seq = static_cast<uint64_t>(*e.seq);
  Tally& t = tallies[e.gateway];
  ++out.events;
  if (++t.seen[seq] > 1) ++out.duplicates;
  uint64_t& last = t.last_by_stream[e.stream];
  if (seq < last) ++out.out_of_order;
  last = std::max(last, seq);
  out.max_seq = std::max(out.max_seq, seq);
}

void CountMessage(EnvelopeParser& parser, std::map<std::string, Tally>& tallies,
                  StreamCount& out, std::string_view data) {
  ++out.messages;
  if (data.find("\"first_seq\"") != std::string_view::npos) {
    std::optional<Batch> batch = parser.ParseBatch(data);
    if (!batch) {
      ++out.unparsed;
      return;
    }
    for (const Envelope& e : batch->events) Count(tallies, out, e);
    return;
  }
  std::optional<Envelope> e = parser.Parse(data);
  if (!e) {
    ++out.unparsed;
    return;
  }
  Count(tallies, out, *e);
}

}  // namespace

std::string StreamCount::Summary() const {
  std::ostringstream s;
  s << "messages " << messages << ", events " << events << ", unique " << unique
    << ", duplicates " << duplicates << ", missing " << missing << ", out of order "
    << out_of_order << ", unparsed " << unparsed << ", max seq " << max_seq;
  if (!error.empty()) s << ", error: " << error;
  return s.str();
}

bool CreateStream(const std::string& url, const StreamSpec& spec, Deadline deadline,
                  std::string* error) {
  Client c(url);
  if (!c.error.empty()) {
    *error = c.error;
    return false;
  }
  std::vector<const char*> subjects;
  for (const std::string& s : spec.subjects) subjects.push_back(s.c_str());
  return WaitUntil(
      deadline,
      [&] {
        jsStreamConfig sc;
        jsStreamConfig_Init(&sc);
        sc.Name = spec.name.c_str();
        sc.Subjects = subjects.data();
        sc.SubjectsLen = static_cast<int>(subjects.size());
        sc.Replicas = spec.replicas;
        sc.Duplicates = spec.duplicate_window_s * 1'000'000'000;
        jsStreamInfo* info = nullptr;
        jsErrCode code = static_cast<jsErrCode>(0);
        natsStatus s = js_AddStream(&info, c.js, &sc, nullptr, &code);
        if (s == NATS_OK) jsStreamInfo_Destroy(info);
        *error = s == NATS_OK ? "" : Failed("create stream", s, code);
        return s == NATS_OK;
      },
      std::chrono::milliseconds(250));
}

bool DeleteStream(const std::string& url, const std::string& stream, std::string* error) {
  Client c(url);
  if (!c.error.empty()) {
    *error = c.error;
    return false;
  }
  jsErrCode code = static_cast<jsErrCode>(0);
  const natsStatus s = js_DeleteStream(c.js, stream.c_str(), nullptr, &code);
  if (s != NATS_OK) *error = Failed("delete stream", s, code);
  return s == NATS_OK;
}

std::optional<std::string> StreamLeader(const std::string& url, const std::string& stream,
                                        Deadline deadline, std::string* error) {
  Client c(url);
  if (!c.error.empty()) {
    *error = c.error;
    return std::nullopt;
  }
  std::optional<std::string> leader;
  WaitUntil(
      deadline,
      [&] {
        jsStreamInfo* info = nullptr;
        jsErrCode code = static_cast<jsErrCode>(0);
        natsStatus s = js_GetStreamInfo(&info, c.js, stream.c_str(), nullptr, &code);
        if (s != NATS_OK) {
          *error = Failed("stream info", s, code);
          return false;
        }
        if (info->Cluster != nullptr && info->Cluster->Leader != nullptr &&
            *info->Cluster->Leader != '\0') {
          leader = info->Cluster->Leader;
        } else {
          *error = "stream has no leader";
        }
        jsStreamInfo_Destroy(info);
        return leader.has_value();
      },
      std::chrono::milliseconds(250));
  return leader;
}

std::optional<uint64_t> StreamMessages(const std::string& url, const std::string& stream) {
  Client c(url);
  if (!c.error.empty()) return std::nullopt;
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  if (js_GetStreamInfo(&info, c.js, stream.c_str(), nullptr, &code) != NATS_OK) {
    return std::nullopt;
  }
  const uint64_t n = info->State.Msgs;
  jsStreamInfo_Destroy(info);
  return n;
}

StreamCount ReadStream(const std::string& url, const std::string& stream,
                       uint64_t expected_last_seq, Deadline deadline) {
  StreamCount out;
  Client c(url);
  if (!c.error.empty()) {
    out.error = c.error;
    return out;
  }
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  bool have_info = WaitUntil(deadline, [&] {
    natsStatus s = js_GetStreamInfo(&info, c.js, stream.c_str(), nullptr, &code);
    if (s != NATS_OK) out.error = Failed("stream info", s, code);
    return s == NATS_OK;
  });
  if (!have_info) return out;
  out.error.clear();
  const uint64_t total = info->State.Msgs;
  const std::string subject = info->Config->SubjectsLen > 0 ? info->Config->Subjects[0] : ">";
  jsStreamInfo_Destroy(info);

  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream.c_str();
  so.Ordered = true;
  so.Config.DeliverPolicy = js_DeliverAll;
  natsSubscription* sub = nullptr;
  natsStatus s = NATS_OK;
  // Creating the consumer can time out for a while after a node died (the cluster still
  // counts it): retry until the deadline.
  const bool subscribed = WaitUntil(
      deadline,
      [&] {
        s = js_SubscribeSync(&sub, c.js, subject.c_str(), nullptr, &so, &code);
        return s == NATS_OK;
      },
      std::chrono::milliseconds(500));
  if (!subscribed) {
    out.error = Failed("subscribe", s, code);
    return out;
  }
  EnvelopeParser parser;
  std::map<std::string, Tally> tallies;
  for (uint64_t n = 0; n < total; ++n) {
    if (SteadyNow() > deadline) {
      out.error = "deadline passed after " + std::to_string(n) + " of " + std::to_string(total);
      break;
    }
    natsMsg* msg = nullptr;
    s = natsSubscription_NextMsg(&msg, sub, 5000);
    if (s != NATS_OK) {
      out.error = std::string("next message: ") + natsStatus_GetText(s) + " after " +
                  std::to_string(n) + " of " + std::to_string(total);
      break;
    }
    CountMessage(parser, tallies, out,
                 std::string_view(natsMsg_GetData(msg),
                                  static_cast<size_t>(natsMsg_GetDataLength(msg))));
    natsMsg_Destroy(msg);
  }
  natsSubscription_Destroy(sub);
  for (const auto& [gateway, t] : tallies) {
    out.unique += t.seen.size();
    const uint64_t last = expected_last_seq != 0 ? expected_last_seq : t.seen.rbegin()->first;
    for (uint64_t seq = 1; seq <= last; ++seq) {
      if (!t.seen.contains(seq)) ++out.missing;
    }
  }
  if (tallies.empty()) out.missing = expected_last_seq;
  return out;
}

}  // namespace ef::testkit
