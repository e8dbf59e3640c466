// Standard base64 (RFC 4648, alphabet A-Z a-z 0-9 + /, '=' padding), to compute what
// edgeferry's "payload_b64" must contain for a given non-JSON payload.
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace ef::testkit {

std::string Base64Encode(std::string_view bytes);

}  // namespace ef::testkit
