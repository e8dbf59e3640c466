// A throw-away PKI for TLS tests, made with the `openssl` command line in a directory the
// caller owns: a CA, a server certificate for 127.0.0.1 / localhost signed by it, a client
// certificate signed by it (the one a broker with require_certificate accepts), and a second,
// unrelated CA with a client certificate of its own (the "wrong" one). Keys are unencrypted
// PEM with mode 0600; EncryptKey() writes a password-protected copy of a key.
//
// Thread-safety: not thread-safe; one thread owns a TestPki. The files are plain files that
// any process may read once the constructor returned.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/wait.h"

namespace ef::testkit {

struct PkiFiles {
  std::filesystem::path ca_crt;
  std::filesystem::path server_crt, server_key;  // CN=localhost, SAN IP:127.0.0.1, DNS:localhost
  std::filesystem::path client_crt, client_key;  // CN=<client_cn>, signed by ca_crt
  std::filesystem::path other_ca_crt;            // an unrelated CA
  std::filesystem::path other_client_crt, other_client_key;  // CN=<client_cn>, by other_ca_crt
};

class TestPki {
 public:
  // Generates everything in `dir` (which must exist), running openssl with a deadline per
  // command. Throws std::runtime_error with openssl's output if a command fails.
  explicit TestPki(std::filesystem::path dir, std::string client_cn = "gateway-001");

  const PkiFiles& files() const { return files_; }

  // Writes `key` encrypted with AES-256 under `password` to `out` (mode 0600). Throws like the
  // constructor.
  void EncryptKey(const std::filesystem::path& key, const std::string& password,
                  const std::filesystem::path& out) const;

 private:
  // Runs `openssl args...` in dir_; throws on a non-zero exit or at the deadline.
  void OpenSsl(const std::vector<std::string>& args) const;
  void MakeCa(const std::string& name, const std::string& cn) const;
  void MakeSigned(const std::string& name, const std::string& cn, const std::string& ca,
                  const std::string& extensions, bool rsa) const;

  std::filesystem::path dir_;
  PkiFiles files_;
};

}  // namespace ef::testkit
