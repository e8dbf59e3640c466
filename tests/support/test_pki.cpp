#include "tests/support/test_pki.h"

#include <stdexcept>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace ef::testkit {

namespace {
constexpr auto kPerCommand = std::chrono::seconds(30);  // RSA key generation on a busy machine
}  // namespace

TestPki::TestPki(std::filesystem::path dir, std::string client_cn) : dir_(std::move(dir)) {
  MakeCa("ca", "edgeferry test CA");
  MakeSigned("server", "localhost", "ca",
             "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n", false);
  // RSA for the accepted client (as most device certificates), EC elsewhere: both work.
  MakeSigned("client", client_cn, "ca", "extendedKeyUsage=clientAuth\n", true);
  MakeCa("other-ca", "some other CA");
  MakeSigned("other-client", client_cn, "other-ca", "extendedKeyUsage=clientAuth\n", false);
  files_ = PkiFiles{.ca_crt = dir_ / "ca.crt",
                    .server_crt = dir_ / "server.crt",
                    .server_key = dir_ / "server.key",
                    .client_crt = dir_ / "client.crt",
                    .client_key = dir_ / "client.key",
                    .other_ca_crt = dir_ / "other-ca.crt",
                    .other_client_crt = dir_ / "other-client.crt",
                    .other_client_key = dir_ / "other-client.key"};
}

void TestPki::OpenSsl(const std::vector<std::string>& args) const {
  const std::filesystem::path log = dir_ / "openssl.log";
  std::vector<std::string> argv = {"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  Process openssl(ProcessOptions{.argv = argv, .env = {}, .log_file = log});
  std::optional<int> status = openssl.Wait(DeadlineIn(kPerCommand));
  if (status == 0) return;
  if (!status) openssl.Kill();
  std::string command;
  for (const std::string& a : argv) command += a + " ";
  throw std::runtime_error("failed: " + command + "\n" + ReadFile(log));
}

void TestPki::MakeCa(const std::string& name, const std::string& cn) const {
  OpenSsl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
           "-days", "3650", "-subj", "/CN=" + cn, "-keyout", (dir_ / (name + ".key")).string(),
           "-out", (dir_ / (name + ".crt")).string()});
}

void TestPki::MakeSigned(const std::string& name, const std::string& cn, const std::string& ca,
                         const std::string& extensions, bool rsa) const {
  const std::string key = (dir_ / (name + ".key")).string();
  const std::string csr = (dir_ / (name + ".csr")).string();
  const std::filesystem::path ext = dir_ / (name + ".ext");
  WriteFile(ext, extensions);
  std::vector<std::string> req = {"req", "-newkey"};
  if (rsa) {
    req.insert(req.end(), {"rsa:2048"});
  } else {
    req.insert(req.end(), {"ec", "-pkeyopt", "ec_paramgen_curve:P-256"});
  }
  req.insert(req.end(), {"-nodes", "-subj", "/CN=" + cn, "-keyout", key, "-out", csr});
  OpenSsl(req);
  OpenSsl({"x509", "-req", "-in", csr, "-CA", (dir_ / (ca + ".crt")).string(), "-CAkey",
           (dir_ / (ca + ".key")).string(), "-CAcreateserial", "-days", "825", "-out",
           (dir_ / (name + ".crt")).string(), "-extfile", ext.string()});
}

void TestPki::EncryptKey(const std::filesystem::path& key, const std::string& password,
                         const std::filesystem::path& out) const {
  OpenSsl({"pkey", "-in", key.string(), "-aes256", "-passout", "pass:" + password, "-out",
           out.string()});
  std::filesystem::permissions(
      out, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

}  // namespace ef::testkit
