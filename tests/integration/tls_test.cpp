// Mutual TLS to the cloud, the way AWS IoT Core authenticates gateways: a Mosquitto listener
// with require_certificate, use_identity_as_username and allow_anonymous false, and a PKI the
// test makes with openssl. The collector listens on the same broker's plain listener.
//
// (a) the right client certificate: events arrive, and the retained birth message.
// (b) a client certificate from another CA, (c) none: edgeferry keeps running and retrying,
//     says why in its log, keeps the events; after the config is fixed and SIGHUP, they
//     arrive, none lost.
// (d) a key readable by others is warned about; an encrypted key works with key_password,
//     and neither the password nor the key ever appears in the log.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "tests/integration/ferry_rig.h"
#include "tests/integration/plant_load.h"
#include "tests/integration/uplink_rig.h"
#include "tests/support/cloud_collector.h"
#include "tests/support/net.h"
#include "tests/support/shared_libraries.h"
#include "tests/support/test_pki.h"

namespace ef::testkit {
namespace {

using std::chrono::seconds;

// A cloud broker with a mutual-TLS listener for edgeferry and a plain one for the collector.
class TlsCloud {
 public:
  TlsCloud()
      : pki_dir_("ef-pki"),
        pki_(pki_dir_.path()),
        tls_port_(FreeLoopbackPort()),
        broker_(Options()) {}

  bool Start(Deadline deadline) {
    return broker_.Start(deadline) &&
           WaitUntil(deadline, [&] { return PortAcceptsConnections(tls_port_); });
  }
  const PkiFiles& pki() const { return pki_.files(); }
  const TestPki& pki_maker() const { return pki_; }
  const TempDir& pki_dir() const { return pki_dir_; }
  std::string tls_uri() const { return "ssl://127.0.0.1:" + std::to_string(tls_port_); }
  MosquittoBroker& broker() { return broker_; }

 private:
  BrokerOptions Options() const {
    BrokerOptions options;
    options.name = "tls-cloud";
    options.per_listener_settings = true;
    options.extra_config = {
        "listener " + std::to_string(tls_port_) + " 127.0.0.1",
        "cafile " + pki_.files().ca_crt.string(),
        "certfile " + pki_.files().server_crt.string(),
        "keyfile " + pki_.files().server_key.string(),
        "tls_version tlsv1.2",
        "require_certificate true",
        "use_identity_as_username true",
        "allow_anonymous false",
    };
    return options;
  }

  TempDir pki_dir_;
  TestPki pki_;
  uint16_t tls_port_;
  MosquittoBroker broker_;
};

// The [uplink] section; `client_tls` holds the cert_file / key_file / key_password lines.
std::string UplinkTls(const TlsCloud& cloud, const std::string& client_tls) {
  std::ostringstream body;
  body << "uri = \"" << cloud.tls_uri() << "\"\n"
       << "client_id = \"edgeferry-tls-test\"\n"
       << "batch = \"json\"\n"
       << "ca_file = \"" << cloud.pki().ca_crt.string() << "\"\n"
       << client_tls;
  return body.str();
}

std::string ClientCert(const std::filesystem::path& crt, const std::filesystem::path& key) {
  return "cert_file = \"" + crt.string() + "\"\nkey_file = \"" + key.string() + "\"\n";
}

CollectorOptions Collector(MosquittoBroker& broker) {
  CollectorOptions options;
  options.uri = broker.uri();
  options.client_id = "ef-tls-collector";
  return options;
}

// True when `line` says why the TLS connection failed: the handshake, the certificate, a TLS
// alert or OpenSSL's own reason. Paho's generic texts ("TCP connect completion failure",
// "TCP/TLS connect failure", which it picks by timing) and the URI ("ssl://...") do not count.
bool NamesTlsCause(const std::string& line) {
  for (const char* word : {"certificate", "handshake", "alert", "SSL routines", "TLS: "}) {
    if (line.find(word) != std::string::npos) return true;
  }
  return false;
}

// Publishes `load` to the edge broker and waits for every PUBACK.
void Publish(UplinkRig& rig, const PlantLoad& load) {
  TestPublisher publisher(PublisherOptions{.uri = rig.edge().uri()});
  REQUIRE_MESSAGE(publisher.Connect(DeadlineIn(seconds(15))), publisher.error());
  std::string error;
  REQUIRE_MESSAGE(PublishPlant(publisher, load, DeadlineIn(seconds(60)), &error), error);
}

TEST_CASE("TLS: with the right client certificate, events and the birth message arrive") {
  TlsCloud cloud;
  REQUIRE_MESSAGE(cloud.Start(DeadlineIn(seconds(10))), cloud.broker().Log());
  UplinkRig rig;
  REQUIRE(rig.edge().Start(DeadlineIn(seconds(10))));
  CloudCollector collector(Collector(cloud.broker()));
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());
  rig.WriteConfig(UplinkTls(cloud, ClientCert(cloud.pki().client_crt, cloud.pki().client_key)));
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30))));
  REQUIRE_MESSAGE(rig.WaitForLog("uplink: connected to cloud", DeadlineIn(seconds(20))),
                  cloud.broker().Log());
  // The TLS build of Paho, loaded at run time for the ssl:// uplink (and not the plain one).
  CHECK(rig.WaitForLog("MQTT library: libpaho-mqtt3as.so.1 (TLS for uplink ssl://",
                       DeadlineIn(seconds(1))));
  const std::set<std::string> mapped = MappedLibraries(rig.DaemonPid());
  CHECK(mapped.count("libpaho-mqtt3as.so") == 1);
  CHECK(mapped.count("libpaho-mqtt3a.so") == 0);

  const PlantLoad load{.devices = 10, .total = 1'000};
  Publish(rig, load);
  CHECK(collector.WaitForCount(1'000, DeadlineIn(seconds(30))));
  CollectorStats stats = collector.Stats();
  CHECK(stats.duplicate_seq == 0);
  CHECK(stats.unparsed == 0);
  CHECK(stats.batches > 0);
  std::vector<std::string> missing = collector.MissingCounters(load.DeviceIds(), load.PerDevice());
  CHECK_MESSAGE(missing.empty(), DescribeMissing(missing));
  std::vector<StatusMessage> status = collector.StatusMessages();
  REQUIRE(!status.empty());
  CHECK(status.front().topic == "edgeferry/gw-test/status");
  CHECK(status.front().payload.find("\"online\"") != std::string::npos);
  // The broker took the certificate's CN as the user name.
  CHECK(cloud.broker().Log().find("u'gateway-001'") != std::string::npos);
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
}

enum class WrongClient { kOtherCa, kNoCertificate };

// (b) and (c): refused by the broker, then fixed by a config reload.
void RefusedThenReloaded(WrongClient wrong, const std::string& broker_reason) {
  TlsCloud cloud;
  REQUIRE_MESSAGE(cloud.Start(DeadlineIn(seconds(10))), cloud.broker().Log());
  UplinkRig rig;
  REQUIRE(rig.edge().Start(DeadlineIn(seconds(10))));
  CloudCollector collector(Collector(cloud.broker()));
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());
  const PkiFiles& pki = cloud.pki();
  rig.WriteConfig(UplinkTls(cloud, wrong == WrongClient::kOtherCa
                                       ? ClientCert(pki.other_client_crt, pki.other_client_key)
                                       : std::string()));
  INFO("daemon log:\n" << rig.DaemonLog());
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30)), "debug"));

  // Refused, and still trying: the first failure is a warning, the retries debug lines.
  REQUIRE(rig.WaitForLog("cannot connect to cloud", DeadlineIn(seconds(20)), 3));
  CHECK(rig.DaemonRunning());
  CHECK(cloud.broker().Log().find(broker_reason) != std::string::npos);
  const std::string line = rig.LogLines("cannot connect to cloud").front();
  MESSAGE("daemon: " << line);
  CHECK_MESSAGE(NamesTlsCause(line),
                "the log line does not say why TLS failed (the broker refused the client "
                "certificate)");

  // Events keep coming in and wait in the queue.
  const PlantLoad before{.devices = 10, .total = 300};
  Publish(rig, before);
  CHECK(rig.WaitQueued(300, DeadlineIn(seconds(30))));
  CHECK(collector.Stats().unique == 0);
  CHECK(rig.DaemonRunning());

  rig.WriteConfig(UplinkTls(cloud, ClientCert(pki.client_crt, pki.client_key)));
  REQUIRE(rig.Reload(DeadlineIn(seconds(20))));
  CHECK(rig.WaitForLog("configuration reloaded", DeadlineIn(seconds(5))));
  CHECK(collector.WaitForCount(300, DeadlineIn(seconds(30))));
  const PlantLoad after{.devices = 10, .first = 300, .total = 300};
  Publish(rig, after);
  CHECK(collector.WaitForCount(600, DeadlineIn(seconds(30))));
  CollectorStats stats = collector.Stats();
  MESSAGE("after the reload: unique " << stats.unique << ", received " << stats.received
                                      << ", duplicates " << stats.duplicate_seq);
  std::vector<std::string> missing =
      collector.MissingCounters(after.DeviceIds(), after.PerDevice());
  CHECK_MESSAGE(missing.empty(), DescribeMissing(missing));
  CHECK(stats.unparsed == 0);
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);
}

TEST_CASE("TLS: a client certificate from another CA is refused, then fixed by SIGHUP") {
  RefusedThenReloaded(WrongClient::kOtherCa, "certificate verify failed");
}

TEST_CASE("TLS: no client certificate is refused, then fixed by SIGHUP") {
  RefusedThenReloaded(WrongClient::kNoCertificate, "peer did not return a certificate");
}

// Every line of `pem` between its BEGIN and END lines (the base64 body).
std::vector<std::string> PemBodyLines(const std::string& pem) {
  std::vector<std::string> lines;
  std::istringstream in(pem);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.find("-----") == std::string::npos) lines.push_back(line);
  }
  return lines;
}

TEST_CASE("TLS: a world-readable key is warned about, the key and its password never logged") {
  TlsCloud cloud;
  REQUIRE_MESSAGE(cloud.Start(DeadlineIn(seconds(10))), cloud.broker().Log());
  UplinkRig rig;
  REQUIRE(rig.edge().Start(DeadlineIn(seconds(10))));
  CloudCollector collector(Collector(cloud.broker()));
  REQUIRE_MESSAGE(collector.Connect(DeadlineIn(seconds(15))), collector.error());

  const std::string password = "Pw-7c1e9a44-not-for-logs";
  const std::string wrong_password = "Wrong-3b0f72d1-not-for-logs";
  const std::filesystem::path key = cloud.pki_dir().File("client-encrypted.key");
  cloud.pki_maker().EncryptKey(cloud.pki().client_key, password, key);
  std::filesystem::permissions(
      key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
               std::filesystem::perms::group_read | std::filesystem::perms::others_read);  // 0644
  const std::string tls = ClientCert(cloud.pki().client_crt, key);
  INFO("daemon log:\n" << rig.DaemonLog());

  // First with the wrong password: refused by our own side, the reason logged.
  rig.WriteConfig(UplinkTls(cloud, tls + "key_password = \"" + wrong_password + "\"\n"));
  REQUIRE(rig.StartDaemon(DeadlineIn(seconds(30)), "debug"));
  REQUIRE(rig.WaitForLog("cannot connect to cloud", DeadlineIn(seconds(20))));
  const std::string refused = rig.LogLines("cannot connect to cloud").front();
  MESSAGE("daemon, wrong key password: " << refused);
  CHECK(NamesTlsCause(refused));
  std::vector<std::string> warnings = rig.LogLines("readable by group or others");
  REQUIRE(!warnings.empty());
  MESSAGE("daemon, key mode 0644: " << warnings.front());
  CHECK(warnings.front().find("644") != std::string::npos);
  CHECK(warnings.front().find(key.string()) != std::string::npos);

  // Then the right one, by SIGHUP: events arrive.
  rig.WriteConfig(UplinkTls(cloud, tls + "key_password = \"" + password + "\"\n"));
  REQUIRE(rig.Reload(DeadlineIn(seconds(20))));
  const PlantLoad load{.devices = 10, .total = 200};
  Publish(rig, load);
  CHECK(collector.WaitForCount(200, DeadlineIn(seconds(30))));
  CHECK(rig.StopDaemon(DeadlineIn(seconds(20))) == 0);

  const std::string log = rig.DaemonLog();
  CHECK(log.find(password) == std::string::npos);
  CHECK(log.find(wrong_password) == std::string::npos);
  CHECK(log.find("PRIVATE KEY") == std::string::npos);
  size_t leaked = 0;
  for (const std::filesystem::path& file : {key, cloud.pki().client_key}) {
    for (const std::string& body : PemBodyLines(ReadFile(file))) {
      if (log.find(body) != std::string::npos) ++leaked;
    }
  }
  CHECK_MESSAGE(leaked == 0, leaked << " lines of the private key appear in the log");
}

}  // namespace
}  // namespace ef::testkit
