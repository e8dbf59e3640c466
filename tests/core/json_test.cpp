#include <doctest/doctest.h>

#include "core/json.h"

namespace ef {

TEST_CASE("IsValidJson accepts documents and rejects the rest") {
  CHECK(IsValidJson(R"({"temp":41.7,"rpm":1480})"));
  CHECK(IsValidJson("[1,2,3]"));
  CHECK(IsValidJson("42"));
  CHECK_FALSE(IsValidJson(""));
  CHECK_FALSE(IsValidJson("{\"a\":1"));
  CHECK_FALSE(IsValidJson("{\"a\":1} trailing"));
  CHECK_FALSE(IsValidJson(std::string("\x01\x02hello", 7)));
}

TEST_CASE("AppendBase64 follows RFC 4648 test vectors") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [in, expected] : vectors) {
    std::string out;
    AppendBase64(out, in);
    CHECK(out == expected);
  }
}

TEST_CASE("AppendJsonString escapes quotes, backslashes and control bytes") {
  std::string out;
  AppendJsonString(out, std::string("a\"b\\c\n\x01", 7));
  CHECK(out == R"("a\"b\\c\n\u0001")");
}

}  // namespace ef
